import type { CellFocusedEvent, GridApi } from 'ag-grid-community'
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'

import type { AppApi } from '../../../shared/ipc/contract'
import type { AppDb } from '../db/app-db'
import { SendToButton } from '../destinations/SendToButton'
import { ReviewPackButton } from '../governance/ReviewPackButton'

import { EMPTY_VALUE, type SearchSyntaxError } from '../../../shared/explorer'

import { ColourRules } from './ColourRules'
import { ColumnChooser } from './ColumnChooser'
import { DetailsPane } from './DetailsPane'
import { EmptyCache } from './EmptyCache'
import { ExplorerGrid, type ExplorerGridEvents } from './ExplorerGrid'
import { explorerColumns, toColDefs, type TimeZoneMode } from './explorer-columns'
import { ExportControls } from './ExportControls'
import { FacetPanel } from './FacetPanel'
import type { RecordFocus } from './record-focus'
import { layoutOf } from './grid-setup'
import {
  FIELD_PREFIX,
  emptyQuery,
  type ColourRule,
  type ColumnFilter,
  type ExplorerQuery,
  type FacetColumn,
  type GridRow,
  type QuerySummary,
  type SearchMode,
  type SortSpec
} from './query-types'
import { RangePicker, type RangeState } from './RangePicker'
import {
  CONNECTOR_ACTIVITY_VIEW,
  isConnectorLens,
  PICKER_VIEWS,
  resolveRange,
  withConnectorLens,
  type BuiltInView,
  type ColumnLayout,
  type SavedFilterSpec
} from './saved-filters'
import { SavedFiltersBar } from './SavedFiltersBar'
import { SearchBox } from './SearchBox'
import { bindSearch, searchNames } from './search-columns'
import { StackPanel } from './StackPanel'
import type { StackEntryFilter } from './stack-entry-filter'
import { statusText } from './status-text'
import { TimeHistogram } from './TimeHistogram'
import { useQueryWorker } from './use-query-worker'
import { ViewShortcuts, ViewSwitch } from './ViewSwitch'
import './explorer.css'

const LAYOUT_SETTING = 'explorer.columns'
const TIME_ZONE_SETTING = 'explorer.timeZone'

export interface ExplorerViewProps {
  api: AppApi
  db: AppDb
  /** Opens the demo tenant (offered when the cache is empty). */
  onExploreDemo(): void
  isOpeningDemo?: boolean
  /** The page on which Microsoft lists the audited connector events (empty state). */
  docsUrl: string
  /** Show exactly these records (a click-through from Findings or Resources), or null. */
  focus?: RecordFocus | null
  onClearFocus?(): void
}

/** The Explorer: facets, histogram, a grid over the whole cache, details and exports. */
export function ExplorerView({
  api: appApi,
  db,
  onExploreDemo,
  isOpeningDemo = false,
  docsUrl,
  focus = null,
  onClearFocus
}: ExplorerViewProps): React.JSX.Element {
  const { clientRef, progress, openError, dataVersion, bumpDataVersion } = useQueryWorker(db)
  const gridRef = useRef<GridApi<GridRow> | null>(null)
  const queryRef = useRef<ExplorerQuery>(emptyQuery())
  const gridEvents = useRef<ExplorerGridEvents>(null!)

  const [summary, setSummary] = useState<QuerySummary | null>(null)
  // The quick search the shown summary answers (data-search on the status: tests and benchmarks
  // wait on it, since two searches may well give the same count).
  const [answeredSearch, setAnsweredSearch] = useState('')
  const [range, setRange] = useState<RangeState>({ preset: 'all', fromMs: null, toMs: null })
  // The Explorer opens on connector activity; "All audit events" is one click away.
  const [facets, setFacets] = useState<Partial<Record<FacetColumn, string[]>>>(
    () => CONNECTOR_ACTIVITY_VIEW.spec.facets
  )
  const [searchText, setSearchText] = useState('')
  const [quickSearch, setQuickSearch] = useState('')
  const [searchMode, setSearchMode] = useState<SearchMode>('filter')
  const [searchError, setSearchError] = useState<SearchSyntaxError | null>(null)
  const [colourRules, setColourRules] = useState<ColourRule[]>([])
  const [isStackOpen, setIsStackOpen] = useState(false)
  const [isDetailsFocused, setIsDetailsFocused] = useState(false)
  const [tags, setTags] = useState<string[]>([])
  const [allTags, setAllTags] = useState<string[]>([])
  const [columnFilters, setColumnFilters] = useState<Record<string, ColumnFilter>>({})
  const [sort, setSort] = useState<SortSpec[]>(emptyQuery().sort)
  const [layout, setLayout] = useState<ColumnLayout[]>([])
  const [timeZone, setTimeZone] = useState<TimeZoneMode>('utc')
  const [selected, setSelected] = useState<{ index: number; id: string } | null>(null)
  const [bulkTag, setBulkTag] = useState('')
  const [notice, setNotice] = useState<string | null>(null)
  const [duplicates, setDuplicates] = useState(0)

  // Remembered layout and time zone. The saved layout is applied by whichever comes last, the
  // settings or the grid (onGridReady): both read it from this ref (the layout loaded or saved
  // last), not from state, so a grid ready between the settings' arrival and the render that
  // carries them still gets it.
  const latestLayout = useRef<ColumnLayout[]>([])
  useEffect(() => {
    void Promise.all([
      db.getSetting<ColumnLayout[]>('', LAYOUT_SETTING, []),
      db.getSetting<TimeZoneMode>('', TIME_ZONE_SETTING, 'utc')
    ]).then(([saved, savedZone]) => {
      latestLayout.current = saved
      setLayout(saved)
      setTimeZone(savedZone)
      if (gridRef.current && saved.length > 0) {
        gridRef.current.applyColumnState({ state: saved, applyOrder: true })
      }
    })
  }, [db])

  const query = useMemo<ExplorerQuery>(
    () => ({
      fromMs: range.fromMs,
      toMs: range.toMs,
      facets,
      quickSearch,
      columnFilters,
      tags,
      sort,
      searchMode,
      colourRules,
      ...(focus ? { recordIds: focus.recordIds } : {})
    }),
    [range, facets, quickSearch, columnFilters, tags, sort, searchMode, colourRules, focus]
  )

  // A click-through shows exactly its records: every other filter is cleared (once per focus).
  const focusSeq = focus?.seq ?? 0
  const [appliedFocus, setAppliedFocus] = useState(0)
  if (focusSeq > 0 && focusSeq !== appliedFocus) {
    setAppliedFocus(focusSeq)
    setRange({ preset: 'all', fromMs: null, toMs: null })
    setFacets({})
    setSearchText('')
    setQuickSearch('')
    setTags([])
    setColumnFilters({})
  }
  useEffect(() => {
    if (focusSeq > 0) {
      gridRef.current?.setFilterModel(null)
    }
  }, [focusSeq])

  // A new query refetches the grid's blocks in place: the rows on screen are updated when the
  // new ones arrive. (Purging instead unmounted every row, mounted loading rows, then mounted the
  // rows again: most of a filter change's time on the page.) The grid keeps few blocks
  // (ExplorerGrid.tsx), so few are refetched.
  useEffect(() => {
    queryRef.current = query
    gridRef.current?.refreshInfiniteCache()
  }, [query])

  useEffect(() => {
    if (dataVersion > 0) {
      gridRef.current?.refreshInfiniteCache()
    }
  }, [dataVersion])

  useEffect(() => {
    const client = clientRef.current
    if (!client || dataVersion === 0) {
      return
    }
    let isActive = true
    client.request({ type: 'query', query }).then(
      (next) => {
        if (isActive) {
          setSummary(next)
          setAnsweredSearch(query.quickSearch)
        }
      },
      () => undefined
    )
    void db.allTags().then((t) => isActive && setAllTags(t))
    void db.countDuplicates().then((n) => isActive && setDuplicates(n))
    return () => {
      isActive = false
    }
  }, [db, query, dataVersion, clientRef])

  const fieldKeys = useMemo(() => {
    const keys = new Set((progress?.fieldKeys ?? []).map((f) => f.key))
    for (const entry of layout) {
      if (entry.colId.startsWith(FIELD_PREFIX)) {
        keys.add(entry.colId.slice(FIELD_PREFIX.length))
      }
    }
    return [...keys]
  }, [progress, layout])
  const columns = useMemo(() => explorerColumns(fieldKeys), [fieldKeys])
  const names = useMemo(() => searchNames(columns), [columns])

  /** Runs a search if it parses; otherwise explains why and keeps the last valid one. */
  const commitSearch = useCallback(
    (text: string) => {
      const bound = bindSearch(text, names)
      if (bound.ok) {
        setSearchError(null)
        setQuickSearch(text)
      } else {
        setSearchError(bound.error)
      }
    },
    [names]
  )

  // Quick search waits for a pause in typing.
  useEffect(() => {
    const timer = setTimeout(() => commitSearch(searchText), 250)
    return () => clearTimeout(timer)
  }, [searchText, commitSearch])
  const columnDefs = useMemo(() => toColDefs(columns, timeZone), [columns, timeZone])
  const pinned = useMemo(
    () => new Map(layout.flatMap((l) => (l.pinned ? [[l.colId, l.pinned] as const] : []))),
    [layout]
  )
  const visible = useMemo(() => {
    const hidden = new Map(layout.map((l) => [l.colId, l.hide ?? false]))
    return new Set(
      columns
        .filter((c) => (hidden.has(c.colId) ? !hidden.get(c.colId) : c.isDefaultVisible))
        .map((c) => c.colId)
    )
  }, [columns, layout])

  const saveLayout = useCallback(
    (api: GridApi<GridRow>) => {
      const next = layoutOf(api.getColumnState())
      latestLayout.current = next
      setLayout(next)
      void db.putSetting('', LAYOUT_SETTING, next)
    },
    [db]
  )

  function onGridReady(api: GridApi<GridRow>): void {
    gridRef.current = api
    if (latestLayout.current.length > 0) {
      api.applyColumnState({ state: latestLayout.current, applyOrder: true })
    }
  }

  function selectIndex(index: number): void {
    const api = gridRef.current
    const total = summary?.total ?? 0
    if (!api || total === 0) {
      return
    }
    const next = Math.min(Math.max(index, 0), total - 1)
    api.ensureIndexVisible(next)
    const firstColumn = api.getAllDisplayedColumns()[0]
    // While the details pane has the focus, it keeps it (and follows the selection).
    if (firstColumn && !isDetailsFocused) {
      api.setFocusedCell(next, firstColumn)
    }
    const node = api.getDisplayedRowAtIndex(next)
    if (node?.data) {
      node.setSelected(true)
      setSelected({ index: next, id: node.data.id })
    }
  }

  /** Remembers whether the keyboard is in the details pane, so a new selection keeps it there. */
  function onFocusMoved(event: React.FocusEvent<HTMLDivElement>): void {
    const target = event.target as HTMLElement
    if (target.closest('.explorer-details')) {
      setIsDetailsFocused(true)
    } else if (target.closest('.ag-root-wrapper')) {
      setIsDetailsFocused(false)
    }
  }

  function focusRow(index: number): void {
    const api = gridRef.current
    const firstColumn = api?.getAllDisplayedColumns()[0]
    if (api && firstColumn) {
      api.ensureIndexVisible(index)
      api.setFocusedCell(index, firstColumn)
    }
  }

  function onCellFocused(event: CellFocusedEvent<GridRow>): void {
    if (event.rowIndex === null || event.rowIndex === undefined) {
      return
    }
    const node = event.api.getDisplayedRowAtIndex(event.rowIndex)
    if (node?.data && node.data.id !== selected?.id) {
      node.setSelected(true)
      setSelected({ index: event.rowIndex, id: node.data.id })
    }
  }

  function onKeyDown(event: React.KeyboardEvent<HTMLDivElement>): void {
    const target = event.target as HTMLElement
    if (
      ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) ||
      event.ctrlKey ||
      event.metaKey
    ) {
      return
    }
    const inGrid = target.closest('.ag-root-wrapper') !== null
    const inDetails = target.closest('.explorer-details') !== null
    // d: into the details pane; Escape: back to the grid row (the pane keeps following).
    if (event.key === 'd' && selected && !inDetails) {
      event.preventDefault()
      setIsDetailsFocused(true)
      document.querySelector<HTMLElement>('.explorer-details')?.focus()
      return
    }
    if (event.key === 'Escape' && inDetails && selected) {
      event.preventDefault()
      setIsDetailsFocused(false)
      focusRow(selected.index)
      return
    }
    // Inside the grid, ↑/↓ move the focused cell and onCellFocused follows; j/k work everywhere.
    if (event.key === 'j' || (!inGrid && event.key === 'ArrowDown')) {
      event.preventDefault()
      selectIndex((selected?.index ?? -1) + 1)
    } else if (event.key === 'k' || (!inGrid && event.key === 'ArrowUp')) {
      event.preventDefault()
      selectIndex((selected?.index ?? 1) - 1)
    }
  }

  /** Click to filter from a stack: each stacked column's filter becomes its value (or blank). */
  function filterToStackEntry(filter: StackEntryFilter): void {
    const api = gridRef.current
    if (!api) {
      return
    }
    if (filter.range) {
      setRange({ preset: 'custom', ...filter.range })
    }
    const model = { ...(api.getFilterModel() as Record<string, ColumnFilter>) }
    for (const { colId, value } of filter.columns) {
      model[colId] =
        value === EMPTY_VALUE
          ? { filterType: 'text', type: 'blank' }
          : { filterType: 'text', type: 'equals', filter: value }
    }
    api.setFilterModel(model)
  }

  function toggleFacet(column: FacetColumn, value: string): void {
    setFacets((current) => {
      const values = current[column] ?? []
      const next = values.includes(value) ? values.filter((v) => v !== value) : [...values, value]
      return { ...current, [column]: next }
    })
  }

  function chooseTimeZone(zone: TimeZoneMode): void {
    setTimeZone(zone)
    void db.putSetting('', TIME_ZONE_SETTING, zone)
  }

  function currentSpec(): SavedFilterSpec {
    const api = gridRef.current
    return {
      range,
      facets,
      quickSearch: searchText,
      columnFilters: (api?.getFilterModel() ?? columnFilters) as Record<string, ColumnFilter>,
      tags,
      sort,
      columns: api ? layoutOf(api.getColumnState()) : layout,
      searchMode,
      colourRules
    }
  }

  function applyView(view: BuiltInView): void {
    applySpec(view.spec)
    setNotice(`${view.name}: ${view.description}`)
  }

  function applySpec(spec: SavedFilterSpec): void {
    setRange({ preset: spec.range.preset, ...resolveRange(spec.range) })
    setFacets(spec.facets)
    setSearchText(spec.quickSearch)
    commitSearch(spec.quickSearch)
    setSearchMode(spec.searchMode ?? 'filter')
    setColourRules(spec.colourRules ?? [])
    setTags(spec.tags)
    setColumnFilters(spec.columnFilters)
    setSort(spec.sort.length > 0 ? spec.sort : emptyQuery().sort)
    const api = gridRef.current
    if (spec.columns.length > 0) {
      setLayout(spec.columns)
    }
    if (api) {
      const sortState = spec.sort.map((s, i) => ({ colId: s.colId, sort: s.sort, sortIndex: i }))
      api.applyColumnState({
        state: spec.columns.length > 0 ? spec.columns : [],
        applyOrder: spec.columns.length > 0
      })
      api.applyColumnState({ state: sortState, defaultState: { sort: null } })
      api.setFilterModel(spec.columnFilters)
    }
  }

  async function tagAll(): Promise<void> {
    const client = clientRef.current
    const tag = bulkTag.trim()
    if (!client || tag === '') {
      return
    }
    const { tagged } = await client.request({ type: 'bulk-tag', query, tag })
    setNotice(`Tagged ${tagged.toLocaleString()} record${tagged === 1 ? '' : 's'} "${tag}".`)
    setBulkTag('')
    bumpDataVersion()
  }

  // The grid reads its handlers through this ref: they change with every render, the grid does not.
  gridEvents.current = {
    onGridReady,
    onRowClicked: (index, id) => setSelected({ index, id }),
    onCellFocused,
    onSort: setSort,
    onColumnFilters: setColumnFilters,
    onLayout: saveLayout
  }

  if (openError) {
    return (
      <div className="notice" role="alert">
        The local cache could not be opened: {openError}
      </div>
    )
  }
  if (!progress) {
    return (
      <p className="muted" role="status">
        Opening the local cache…
      </p>
    )
  }
  if (progress.isDone && progress.indexed === 0) {
    return (
      <EmptyCache
        docsUrl={docsUrl}
        isOpeningDemo={isOpeningDemo}
        onExploreDemo={onExploreDemo}
        onApplyView={applyView}
      />
    )
  }

  const chips = (Object.entries(facets) as [FacetColumn, string[]][]).flatMap(([column, values]) =>
    values.map((value) => ({ column, value }))
  )

  return (
    <div className="explorer" onKeyDown={onKeyDown} onFocus={onFocusMoved} data-testid="explorer">
      <div className="explorer-toolbar" role="search" aria-label="Filter records">
        <ViewSwitch
          isConnectorLens={isConnectorLens(facets)}
          onChoose={(isOn) => setFacets((current) => withConnectorLens(current, isOn))}
        />
        <RangePicker range={range} timeZone={timeZone} onChange={setRange} />
        <SearchBox
          text={searchText}
          mode={searchMode}
          error={searchError}
          onText={setSearchText}
          onMode={setSearchMode}
        />
        <div className="explorer-inline" role="group" aria-label="Time zone">
          Time
          <button
            type="button"
            aria-pressed={timeZone === 'utc'}
            onClick={() => chooseTimeZone('utc')}
          >
            UTC
          </button>
          <button
            type="button"
            aria-pressed={timeZone === 'local'}
            onClick={() => chooseTimeZone('local')}
          >
            Local
          </button>
        </div>
        <ColumnChooser
          columns={columns}
          visible={visible}
          pinned={pinned}
          onPin={(colId, side) => {
            const api = gridRef.current
            if (api) {
              api.setColumnsPinned([colId], side)
              saveLayout(api)
            }
          }}
          onToggle={(colId, isVisible) => {
            const api = gridRef.current
            if (api) {
              api.setColumnsVisible([colId], isVisible)
              saveLayout(api)
            }
          }}
          onReset={() => {
            const api = gridRef.current
            if (api) {
              api.resetColumnState()
              saveLayout(api)
            }
          }}
        />
        <span
          className="explorer-status"
          role="status"
          data-testid="explorer-status"
          data-search={answeredSearch}
          // How the worker got its chunks: read back from IndexedDB or handed over by the
          // commits of this window (tests and tools tell a read-back from a hand-over).
          data-chunks-read={progress.chunks.read}
          data-chunks-handed-over={progress.chunks.handedOver}
        >
          {summary ? statusText(summary, progress) : ''}
          {duplicates > 0 && ` · ${duplicates.toLocaleString()} duplicates collapsed`}
        </span>
      </div>

      <div className="explorer-toolbar">
        <SavedFiltersBar db={db} currentSpec={currentSpec} onApply={applySpec} />
        <ColourRules rules={colourRules} names={names} onChange={setColourRules} />
        <button
          type="button"
          aria-pressed={isStackOpen}
          onClick={() => setIsStackOpen(!isStackOpen)}
        >
          Stack
        </button>
        <label>
          Tag all shown
          <input
            aria-label="Tag for all shown records"
            placeholder="tag"
            value={bulkTag}
            onChange={(e) => setBulkTag(e.target.value)}
          />
        </label>
        <button type="button" disabled={bulkTag.trim() === ''} onClick={() => void tagAll()}>
          Tag {summary ? summary.total.toLocaleString() : ''} records
        </button>
        <ExportControls
          grid={() => gridRef.current}
          client={() => clientRef.current}
          columns={columns}
          timeZone={timeZone}
          query={() => queryRef.current}
          total={summary?.total ?? 0}
          onNotice={setNotice}
        />
        <ReviewPackButton
          api={appApi}
          db={db}
          client={() => clientRef.current}
          query={() => queryRef.current}
          timeZone={timeZone}
          total={summary?.total ?? 0}
          onNotice={setNotice}
        />
        <SendToButton
          api={appApi}
          client={() => clientRef.current}
          query={() => queryRef.current}
          total={summary?.total ?? 0}
          onNotice={setNotice}
        />
        {notice && (
          <span className="muted" role="status" data-testid="explorer-notice">
            {notice}
          </span>
        )}
        {focus && (
          <span className="chip" data-testid="record-focus">
            Showing only {focus.label}
            <button type="button" aria-label="Show all records again" onClick={onClearFocus}>
              ✕
            </button>
          </span>
        )}
        {chips.length > 0 && (
          <span className="chips" aria-label="Active facets">
            {chips.map(({ column, value }) => (
              <span className="chip" key={`${column}:${value}`}>
                {value === '' ? '(none)' : value}
                <button
                  type="button"
                  aria-label={`Remove ${value}`}
                  onClick={() => toggleFacet(column, value)}
                >
                  ✕
                </button>
              </span>
            ))}
          </span>
        )}
      </div>

      {summary && (
        <TimeHistogram
          histogram={summary.histogram}
          timeZone={timeZone}
          onBrush={(fromMs, toMs) => setRange({ preset: 'custom', fromMs, toMs })}
        />
      )}

      <div className="explorer-body">
        <FacetPanel
          facets={summary?.facets ?? {}}
          isPartial={
            summary !== null &&
            progress !== null &&
            (!progress.isDone || summary.indexed < progress.total)
          }
          selected={facets}
          onToggle={toggleFacet}
          tags={allTags}
          selectedTags={tags}
          onToggleTag={(tag) =>
            setTags((current) =>
              current.includes(tag) ? current.filter((t) => t !== tag) : [...current, tag]
            )
          }
        />
        <section className="explorer-grid" aria-label="Audit records">
          {isStackOpen && (
            <StackPanel
              clientRef={clientRef}
              query={query}
              dataVersion={dataVersion}
              columns={columns}
              timeZone={timeZone}
              onFilter={filterToStackEntry}
              onClose={() => setIsStackOpen(false)}
            />
          )}
          {summary && summary.total === 0 && summary.indexed > 0 && (
            <div className="explorer-no-match" role="status" data-testid="no-match">
              <p>
                {isConnectorLens(facets)
                  ? 'No connector activity matches this view.'
                  : 'No records match this view.'}{' '}
                {isConnectorLens(facets) && (
                  <button
                    type="button"
                    onClick={() => setFacets((current) => withConnectorLens(current, false))}
                  >
                    Show all audit events
                  </button>
                )}
              </p>
              <ViewShortcuts views={PICKER_VIEWS} onApply={applyView} />
            </div>
          )}
          <ExplorerGrid
            clientRef={clientRef}
            queryRef={queryRef}
            columnDefs={columnDefs}
            events={gridEvents}
          />
        </section>
        {selected && (
          <DetailsPane
            key={selected.id}
            db={db}
            recordId={selected.id}
            timeZone={timeZone}
            position={`${(selected.index + 1).toLocaleString()} of ${(summary?.total ?? 0).toLocaleString()}`}
            onPrevious={() => selectIndex(selected.index - 1)}
            onNext={() => selectIndex(selected.index + 1)}
            onClose={() => setSelected(null)}
            autoFocus={isDetailsFocused}
          />
        )}
      </div>
    </div>
  )
}
