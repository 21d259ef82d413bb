/**
 * The Explorer grid's ag-grid set-up: the modules it registers, its theme and the column-state
 * conversions between ag-grid and the Explorer's query and saved layouts.
 */
import {
  ColumnApiModule,
  InfiniteRowModelModule,
  ModuleRegistry,
  RowApiModule,
  RowSelectionModule,
  RowStyleModule,
  ScrollApiModule,
  TextFilterModule,
  ValidationModule,
  themeQuartz,
  type ColumnState,
  type RowClassParams,
  type RowClassRules,
  type SortModelItem
} from 'ag-grid-community'

import { ROW_COLOURS, emptyQuery, type GridRow, type SortSpec } from './query-types'
import type { ColumnLayout } from './saved-filters'

ModuleRegistry.registerModules([
  InfiniteRowModelModule,
  TextFilterModule,
  RowSelectionModule,
  RowStyleModule,
  ColumnApiModule,
  RowApiModule,
  ScrollApiModule,
  // Development builds name any module a feature needs but was not registered.
  ...(import.meta.env.DEV ? [ValidationModule] : [])
])

/**
 * Rows per block the infinite row model asks the worker for. Large, so scrolling meets fewer rows
 * whose block has not arrived yet: ag-grid draws such a row twice (a loading row, then the row).
 * Rows are lean (row-columns.ts), so a block of 500 costs the worker a few milliseconds.
 */
export const BLOCK = 500

export const GRID_THEME = themeQuartz.withParams({
  backgroundColor: 'var(--surface)',
  foregroundColor: 'var(--text)',
  borderColor: 'var(--border)',
  accentColor: 'var(--accent)',
  headerBackgroundColor: 'var(--bg)',
  chromeBackgroundColor: 'var(--bg)',
  fontFamily: 'inherit',
  fontSize: 13,
  rowHeight: 28,
  headerHeight: 32
})

/** The worker's sort from ag-grid's sort model (newest first when nothing is sorted). */
export function sortFromModel(model: readonly SortModelItem[]): SortSpec[] {
  const sort = model.map((item) => ({ colId: item.colId, sort: item.sort }))
  return sort.length > 0 ? sort : emptyQuery().sort
}

/** The sort of the grid's column state, in sort-index order (shift-click adds keys). */
export function sortFromState(state: readonly ColumnState[]): SortSpec[] {
  return sortFromModel(
    state
      .filter((c) => c.sort)
      .sort((a, b) => (a.sortIndex ?? 0) - (b.sortIndex ?? 0))
      .map((c) => ({ colId: c.colId, sort: c.sort! }))
  )
}

/** The saved layout (order, width, visibility, pinning) of the grid's column state. */
export function layoutOf(state: readonly ColumnState[]): ColumnLayout[] {
  return state.map((s) => ({
    colId: s.colId,
    ...(typeof s.width === 'number' ? { width: s.width } : {}),
    hide: s.hide ?? false,
    pinned: s.pinned === 'left' || s.pinned === 'right' ? s.pinned : null
  }))
}

/**
 * Row classes for colour rules and the search highlight. Rules (not a getRowClass callback), so
 * ag-grid re-applies them when a row's data arrives again with other marks.
 */
export const ROW_CLASS_RULES: RowClassRules<GridRow> = {
  ...Object.fromEntries(
    ROW_COLOURS.map((colour) => [
      `row-colour-${colour}`,
      (params: RowClassParams<GridRow>) => params.data?.marks?.colour === colour
    ])
  ),
  'row-search-hit': (params) => params.data?.marks?.searchHit === true
}
