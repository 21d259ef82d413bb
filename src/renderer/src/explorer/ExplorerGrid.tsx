import {
  createGrid,
  type CellFocusedEvent,
  type ColDef,
  type DisplayedColumnsChangedEvent,
  type GridApi,
  type GridOptions,
  type GridReadyEvent,
  type IDatasource,
  type IGetRowsParams,
  type RowClickedEvent,
  type RowSelectionOptions
} from 'ag-grid-community'
import { memo, useEffect, useRef } from 'react'

import type { QueryClient } from './query-client'
import { BLOCK, GRID_THEME, ROW_CLASS_RULES, sortFromModel, sortFromState } from './grid-setup'
import type { ColumnFilter, ExplorerQuery, GridRow, SortSpec } from './query-types'

/** What the grid tells the Explorer; read through a ref, so the grid never re-renders for it. */
export interface ExplorerGridEvents {
  onGridReady(api: GridApi<GridRow>): void
  onRowClicked(index: number, id: string): void
  onCellFocused(event: CellFocusedEvent<GridRow>): void
  onSort(sort: SortSpec[]): void
  onColumnFilters(filters: Record<string, ColumnFilter>): void
  /** Columns moved, resized, shown, hidden or pinned (moves and resizes once finished). */
  onLayout(api: GridApi<GridRow>): void
}

export interface ExplorerGridProps {
  clientRef: React.RefObject<QueryClient | null>
  /** The query whose rows the grid shows (the grid's own sort and column filters apply on top). */
  queryRef: React.RefObject<ExplorerQuery>
  columnDefs: ColDef<GridRow>[]
  events: React.RefObject<ExplorerGridEvents>
}

const ROW_SELECTION: RowSelectionOptions<GridRow> = {
  mode: 'singleRow',
  checkboxes: false,
  enableClickSelection: true
}
const CONTAINER_STYLE = { flex: 1, minHeight: 0 }
/**
 * Blocks the grid keeps. A query change refetches every kept block (ExplorerView), in the order
 * they were made, so few are kept and all are asked for at once: the one on screen is not last
 * behind a queue. Scrolling back to a dropped block asks the worker again (a few ms).
 */
const BLOCKS_KEPT = 5

/**
 * The Explorer's grid over the query worker (ag-grid's infinite row model, blocks of BLOCK rows).
 * The grid is ag-grid's own DOM grid made on a host element, not the React-rendered one:
 * scrolling draws rows straight into the DOM, without a React render and commit of row and cell
 * components per frame (scroll frame p95 53-63 -> 45 ms at a million rows; README, "Evening
 * run"). Made once; new column definitions are set on it; new counts, facets or histogram never
 * touch it. Rows are lean: only the values of the columns shown cross from the worker
 * (row-columns.ts); a column shown later fetches the rows again.
 */
export const ExplorerGrid = memo(function ExplorerGrid({
  clientRef,
  queryRef,
  columnDefs,
  events
}: ExplorerGridProps): React.JSX.Element {
  const hostRef = useRef<HTMLDivElement>(null)
  const apiRef = useRef<GridApi<GridRow> | null>(null)
  /** The column definitions the grid has (made with, or set since). */
  const shownDefs = useRef(columnDefs)

  useEffect(() => {
    const host = hostRef.current
    if (!host) {
      return
    }
    /** The columns whose values the cached rows carry. */
    let fetched = new Set<string>()
    const datasource: IDatasource = {
      getRows: (params: IGetRowsParams) => {
        const client = clientRef.current
        if (!client) {
          params.failCallback()
          return
        }
        const rowsQuery: ExplorerQuery = {
          ...queryRef.current,
          sort: sortFromModel(params.sortModel),
          columnFilters: (params.filterModel ?? {}) as Record<string, ColumnFilter>
        }
        const shown = apiRef.current?.getAllDisplayedColumns().map((c) => c.getColId())
        for (const colId of shown ?? []) {
          fetched.add(colId)
        }
        client
          .request({
            type: 'rows',
            query: rowsQuery,
            start: params.startRow,
            end: params.endRow,
            ...(shown ? { columns: shown } : {})
          })
          .then(
            (page) => params.successCallback(page.rows, page.total),
            () => params.failCallback()
          )
      }
    }
    const options: GridOptions<GridRow> = {
      theme: GRID_THEME,
      rowModelType: 'infinite',
      datasource,
      cacheBlockSize: BLOCK,
      maxBlocksInCache: BLOCKS_KEPT,
      maxConcurrentDatasourceRequests: BLOCKS_KEPT,
      blockLoadDebounceMillis: 30,
      columnDefs: shownDefs.current,
      maintainColumnOrder: true,
      getRowId,
      rowSelection: ROW_SELECTION,
      rowClassRules: ROW_CLASS_RULES,
      onGridReady: (event: GridReadyEvent<GridRow>) => {
        apiRef.current = event.api
        events.current.onGridReady(event.api)
      },
      onRowClicked: (event: RowClickedEvent<GridRow>) => {
        if (event.data && event.rowIndex !== null) {
          events.current.onRowClicked(event.rowIndex, event.data.id)
        }
      },
      onCellFocused: (event: CellFocusedEvent<GridRow>) => events.current.onCellFocused(event),
      onSortChanged: ({ api }) => events.current.onSort(sortFromState(api.getColumnState())),
      onFilterChanged: ({ api }) =>
        events.current.onColumnFilters(api.getFilterModel() as Record<string, ColumnFilter>),
      onColumnMoved: (event) => {
        if (event.finished) {
          events.current.onLayout(event.api)
        }
      },
      onColumnResized: (event) => {
        if (event.finished) {
          events.current.onLayout(event.api)
        }
      },
      onColumnVisible: ({ api }) => events.current.onLayout(api),
      onColumnPinned: ({ api }) => events.current.onLayout(api),
      // A column shown that the cached rows lack: fetch them again (the rows on screen stay
      // until the new ones arrive).
      onDisplayedColumnsChanged: ({ api }: DisplayedColumnsChangedEvent<GridRow>) => {
        const shown = api.getAllDisplayedColumns().map((c) => c.getColId())
        if (fetched.size > 0 && shown.some((colId) => !fetched.has(colId))) {
          fetched = new Set(shown)
          api.refreshInfiniteCache()
        }
      }
    }
    const api = createGrid<GridRow>(host, options)
    apiRef.current = api
    return () => {
      apiRef.current = null
      api.destroy()
    }
  }, [clientRef, queryRef, events])

  useEffect(() => {
    if (columnDefs !== shownDefs.current) {
      shownDefs.current = columnDefs
      apiRef.current?.setGridOption('columnDefs', columnDefs)
    }
  }, [columnDefs])

  return <div ref={hostRef} style={CONTAINER_STYLE} />
})

function getRowId({ data }: { data: GridRow }): string {
  return data.id
}
