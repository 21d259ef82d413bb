import {
  ColumnApiModule,
  InfiniteRowModelModule,
  ModuleRegistry,
  RowApiModule,
  RowSelectionModule,
  ScrollApiModule,
  TextFilterModule,
  TooltipModule,
  ValidationModule,
  themeQuartz,
  type CellFocusedEvent,
  type ColumnState,
  type FilterChangedEvent,
  type GridApi,
  type GridReadyEvent,
  type IDatasource,
  type IGetRowsParams,
  type RowClickedEvent,
  type SortModelItem
} from 'ag-grid-community'
import { AgGridReact } from 'ag-grid-react'
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'

import type { AppApi } from '../../../shared/ipc/contract'
import type { AppDb } from '../db/app-db'
import { ReviewPackNotice } from '../governance/ReviewPackNotice'
import { runReviewPack, type ReviewPackDone } from '../governance/review-pack-runner'

import { ColumnChooser } from './ColumnChooser'
import { DetailsPane } from './DetailsPane'
import { exportFileName, openFileSink, runExport, type ExportFormat } from './export-runner'
import {
  explorerColumns,
  toColDefs,
  type ExplorerColumn,
  type TimeZoneMode
} from './explorer-columns'
import { FacetPanel } from './FacetPanel'
import type { RecordFocus } from './record-focus'
import { startQueryWorker, type QueryClient } from './query-client'
import {
  FIELD_PREFIX,
  emptyQuery,
  type ColumnFilter,
  type ExplorerQuery,
  type FacetColumn,
  type GridRow,
  type LoadProgress,
  type QuerySummary,
  type SortSpec
} from './query-types'
import {
  CONNECTOR_ACTIVITY_VIEW,
  isConnectorLens,
  PICKER_VIEWS,
  resolveRange,
  withConnectorLens,
  type BuiltInView,
  type ColumnLayout,
  type RangePreset,
  type SavedFilterSpec
} from './saved-filters'
import { SavedFiltersBar } from './SavedFiltersBar'
import { statusText } from './status-text'
import { TimeHistogram } from './TimeHistogram'
import { ViewShortcuts, ViewSwitch } from './ViewSwitch'
import './explorer.css'

ModuleRegistry.registerModules([
  InfiniteRowModelModule,
  TextFilterModule,
  RowSelectionModule,
  ColumnApiModule,
  RowApiModule,
  ScrollApiModule,
  TooltipModule,
  // Development builds name any module a feature needs but was not registered.
  ...(import.meta.env.DEV ? [ValidationModule] : [])
])

const LAYOUT_SETTING = 'explorer.columns'
const TIME_ZONE_SETTING = 'explorer.timeZone'
const BLOCK = 100

const GRID_THEME = themeQuartz.withParams({
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

const PRESET_LABELS: Record<RangePreset, string> = {
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  all: 'All time',
  custom: 'Custom…'
}

interface RangeState {
  preset: RangePreset
  fromMs: number | null
  toMs: number | null
}

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

function sortFromModel(model: readonly SortModelItem[]): SortSpec[] {
  const sort = model.map((item) => ({ colId: item.colId, sort: item.sort }))
  return sort.length > 0 ? sort : emptyQuery().sort
}

function toInputValue(ms: number | null, timeZone: TimeZoneMode): string {
  if (ms === null) {
    return ''
  }
  const d = new Date(timeZone === 'utc' ? ms : ms - new Date(ms).getTimezoneOffset() * 60_000)
  return d.toISOString().slice(0, 16)
}

function fromInputValue(value: string, timeZone: TimeZoneMode): number | null {
  if (value === '') {
    return null
  }
  const ms = timeZone === 'utc' ? Date.parse(`${value}:00Z`) : new Date(value).getTime()
  return Number.isFinite(ms) ? ms : null
}

function layoutOf(state: readonly ColumnState[]): ColumnLayout[] {
  return state.map((s) => ({
    colId: s.colId,
    ...(typeof s.width === 'number' ? { width: s.width } : {}),
    hide: s.hide ?? false
  }))
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
  const clientRef = useRef<QueryClient | null>(null)
  const gridRef = useRef<GridApi<GridRow> | null>(null)
  const queryRef = useRef<ExplorerQuery>(emptyQuery())
  const lastRefresh = useRef(0)
  const exportAbort = useRef<AbortController | null>(null)

  const [progress, setProgress] = useState<LoadProgress | null>(null)
  const [openError, setOpenError] = useState<string | null>(null)
  const [dataVersion, setDataVersion] = useState(0)
  const [summary, setSummary] = useState<QuerySummary | null>(null)
  const [range, setRange] = useState<RangeState>({ preset: 'all', fromMs: null, toMs: null })
  // The Explorer opens on connector activity; "All audit events" is one click away.
  const [facets, setFacets] = useState<Partial<Record<FacetColumn, string[]>>>(
    () => CONNECTOR_ACTIVITY_VIEW.spec.facets
  )
  const [searchText, setSearchText] = useState('')
  const [quickSearch, setQuickSearch] = useState('')
  const [tags, setTags] = useState<string[]>([])
  const [allTags, setAllTags] = useState<string[]>([])
  const [columnFilters, setColumnFilters] = useState<Record<string, ColumnFilter>>({})
  const [sort, setSort] = useState<SortSpec[]>(emptyQuery().sort)
  const [layout, setLayout] = useState<ColumnLayout[]>([])
  const [timeZone, setTimeZone] = useState<TimeZoneMode>('utc')
  const [selected, setSelected] = useState<{ index: number; id: string } | null>(null)
  const [bulkTag, setBulkTag] = useState('')
  const [notice, setNotice] = useState<string | null>(null)
  const [exporting, setExporting] = useState<{ done: number; total: number } | null>(null)
  const [duplicates, setDuplicates] = useState(0)
  const [pack, setPack] = useState<ReviewPackDone | null>(null)

  // The worker lives as long as the view.
  useEffect(() => {
    const client = startQueryWorker()
    clientRef.current = client
    // While records stream in (a sync, the first indexing) the grid, counts, facets and histogram
    // refresh at most once a second: the first change at once (first rows), the latest always
    // (a trailing refresh), and no re-query per committed batch competing with the commits.
    let trailing: ReturnType<typeof setTimeout> | undefined
    const refresh = (): void => {
      trailing = undefined
      lastRefresh.current = performance.now()
      setDataVersion((v) => v + 1)
    }
    const unsubscribe = client.onDidChange((event, next) => {
      setProgress(next)
      const wait = lastRefresh.current + (event === 'changed' ? 1000 : 1500) - performance.now()
      if (wait <= 0) {
        clearTimeout(trailing)
        refresh()
      } else if (event === 'changed') {
        trailing ??= setTimeout(refresh, wait)
      }
    })
    client.request({ type: 'open', dbName: db.name }).then(
      (loaded) => {
        setProgress(loaded)
        setDataVersion((v) => v + 1)
      },
      (error: unknown) => setOpenError(error instanceof Error ? error.message : String(error))
    )
    return () => {
      clearTimeout(trailing)
      unsubscribe()
      client.dispose()
      clientRef.current = null
    }
  }, [db])

  // Remembered layout and time zone.
  useEffect(() => {
    void Promise.all([
      db.getSetting<ColumnLayout[]>('', LAYOUT_SETTING, []),
      db.getSetting<TimeZoneMode>('', TIME_ZONE_SETTING, 'utc')
    ]).then(([savedLayout, savedZone]) => {
      setLayout(savedLayout)
      setTimeZone(savedZone)
      if (gridRef.current && savedLayout.length > 0) {
        gridRef.current.applyColumnState({ state: savedLayout, applyOrder: true })
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
      ...(focus ? { recordIds: focus.recordIds } : {})
    }),
    [range, facets, quickSearch, columnFilters, tags, sort, focus]
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

  useEffect(() => {
    queryRef.current = query
    gridRef.current?.purgeInfiniteCache()
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
      (next) => isActive && setSummary(next),
      () => undefined
    )
    void db.allTags().then((t) => isActive && setAllTags(t))
    void db.countDuplicates().then((n) => isActive && setDuplicates(n))
    return () => {
      isActive = false
    }
  }, [db, query, dataVersion])

  // Quick search waits for a pause in typing.
  useEffect(() => {
    const timer = setTimeout(() => setQuickSearch(searchText), 250)
    return () => clearTimeout(timer)
  }, [searchText])

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
  const columnDefs = useMemo(() => toColDefs(columns, timeZone), [columns, timeZone])
  const visible = useMemo(() => {
    const hidden = new Map(layout.map((l) => [l.colId, l.hide ?? false]))
    return new Set(
      columns
        .filter((c) => (hidden.has(c.colId) ? !hidden.get(c.colId) : c.isDefaultVisible))
        .map((c) => c.colId)
    )
  }, [columns, layout])

  const datasource = useMemo<IDatasource>(
    () => ({
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
        client
          .request({ type: 'rows', query: rowsQuery, start: params.startRow, end: params.endRow })
          .then(
            (page) => params.successCallback(page.rows, page.total),
            () => params.failCallback()
          )
      }
    }),
    []
  )

  const saveLayout = useCallback(
    (api: GridApi<GridRow>) => {
      const next = layoutOf(api.getColumnState())
      setLayout(next)
      void db.putSetting('', LAYOUT_SETTING, next)
    },
    [db]
  )

  function onGridReady(event: GridReadyEvent<GridRow>): void {
    gridRef.current = event.api
    if (layout.length > 0) {
      event.api.applyColumnState({ state: layout, applyOrder: true })
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
    if (firstColumn) {
      api.setFocusedCell(next, firstColumn)
    }
    const node = api.getDisplayedRowAtIndex(next)
    if (node?.data) {
      node.setSelected(true)
      setSelected({ index: next, id: node.data.id })
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
    // Inside the grid, ↑/↓ move the focused cell and onCellFocused follows; j/k work everywhere.
    if (event.key === 'j' || (!inGrid && event.key === 'ArrowDown')) {
      event.preventDefault()
      selectIndex((selected?.index ?? -1) + 1)
    } else if (event.key === 'k' || (!inGrid && event.key === 'ArrowUp')) {
      event.preventDefault()
      selectIndex((selected?.index ?? 1) - 1)
    }
  }

  function toggleFacet(column: FacetColumn, value: string): void {
    setFacets((current) => {
      const values = current[column] ?? []
      const next = values.includes(value) ? values.filter((v) => v !== value) : [...values, value]
      return { ...current, [column]: next }
    })
  }

  function choosePreset(preset: RangePreset): void {
    if (preset === 'custom') {
      setRange((current) => ({ ...current, preset }))
      return
    }
    setRange({ preset, ...resolveRange({ preset, fromMs: null, toMs: null }) })
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
      columns: api ? layoutOf(api.getColumnState()) : layout
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
    setQuickSearch(spec.quickSearch)
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
    setDataVersion((v) => v + 1)
  }

  async function exportView(format: ExportFormat): Promise<void> {
    const api = gridRef.current
    const client = clientRef.current
    if (!api || !client) {
      return
    }
    const byId = new Map(columns.map((c) => [c.colId, c]))
    const shown = api
      .getAllDisplayedColumns()
      .map((c) => byId.get(c.getColId()))
      .filter((c): c is ExplorerColumn => c !== undefined)
    const base = `connector-audit-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}`
    const controller = new AbortController()
    exportAbort.current = controller
    const exportQuery = queryRef.current
    setExporting({ done: 0, total: summary?.total ?? 0 })
    try {
      const result = await runExport({
        format,
        columns: shown,
        timeZone,
        fetchRows: (start, end) => client.request({ type: 'rows', query: exportQuery, start, end }),
        fetchRecords: (start, end) =>
          client.request({ type: 'records', query: exportQuery, start, end }),
        openSink: (part) => openFileSink(exportFileName(base, format, part), format),
        signal: controller.signal,
        onProgress: (done, total) => setExporting({ done, total })
      })
      if (result !== null) {
        setNotice(
          result === 'cancelled'
            ? 'Export cancelled.'
            : `Exported ${result.toLocaleString()} rows (${format.toUpperCase()}).`
        )
      }
    } catch (error) {
      setNotice(`Export failed: ${error instanceof Error ? error.message : String(error)}`)
    } finally {
      setExporting(null)
      exportAbort.current = null
    }
  }

  /** A review pack (XLSX + HTML, from a snapshot of the view) written through main. */
  async function makeReviewPack(): Promise<void> {
    const client = clientRef.current
    if (!client) {
      return
    }
    const packQuery = queryRef.current
    const controller = new AbortController()
    exportAbort.current = controller
    setPack(null)
    setExporting({ done: 0, total: summary?.total ?? 0 })
    try {
      const outcome = await runReviewPack({
        api: appApi,
        db,
        timeZone,
        fetchRows: (start, end) => client.request({ type: 'rows', query: packQuery, start, end }),
        fetchRecords: (start, end) =>
          client.request({ type: 'records', query: packQuery, start, end }),
        signal: controller.signal,
        onProgress: (done, total) => setExporting({ done, total })
      })
      if (outcome.status === 'done') {
        setPack(outcome.pack)
        setNotice(null)
      } else {
        setNotice(
          outcome.status === 'cancelled'
            ? 'Review pack cancelled.'
            : `Review pack failed: ${outcome.error.message}`
        )
      }
    } catch (error) {
      setNotice(`Review pack failed: ${error instanceof Error ? error.message : String(error)}`)
    } finally {
      setExporting(null)
      exportAbort.current = null
    }
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
      <section className="empty-state" aria-labelledby="empty-title">
        <h1 id="empty-title">No audit records cached yet</h1>
        <p>
          Connector Audit Explorer pulls Power Platform connector activity — APIs, connections,
          permissions, gateways and data-policy actions — from the Microsoft 365 unified audit log
          into a local cache you can explore offline.
        </p>
        <p>
          <a href={docsUrl} target="_blank" rel="noreferrer noopener" data-testid="docs-link">
            Which connector events are audited
          </a>
        </p>
        <div className="actions">
          <button
            type="button"
            className="primary"
            disabled={isOpeningDemo}
            onClick={onExploreDemo}
          >
            {isOpeningDemo ? 'Starting the demo tenant…' : 'Explore the demo tenant'}
          </button>
          <a className="button" href="#connections">
            Connect your tenant
          </a>
        </div>
        <p className="muted">
          The Explorer opens on connector activity. Once records are here, start from a view:
        </p>
        <ViewShortcuts views={PICKER_VIEWS} onApply={applyView} />
      </section>
    )
  }

  const chips = (Object.entries(facets) as [FacetColumn, string[]][]).flatMap(([column, values]) =>
    values.map((value) => ({ column, value }))
  )

  return (
    <div className="explorer" onKeyDown={onKeyDown} data-testid="explorer">
      <div className="explorer-toolbar" role="search" aria-label="Filter records">
        <ViewSwitch
          isConnectorLens={isConnectorLens(facets)}
          onChoose={(isOn) => setFacets((current) => withConnectorLens(current, isOn))}
        />
        <label>
          Range
          <select
            aria-label="Date range"
            value={range.preset}
            onChange={(e) => choosePreset(e.target.value as RangePreset)}
          >
            {(Object.keys(PRESET_LABELS) as RangePreset[]).map((preset) => (
              <option key={preset} value={preset}>
                {PRESET_LABELS[preset]}
              </option>
            ))}
          </select>
        </label>
        {range.preset === 'custom' && (
          <>
            <label>
              From ({timeZone === 'utc' ? 'UTC' : 'local'})
              <input
                type="datetime-local"
                aria-label="From"
                value={toInputValue(range.fromMs, timeZone)}
                onChange={(e) =>
                  setRange((r) => ({ ...r, fromMs: fromInputValue(e.target.value, timeZone) }))
                }
              />
            </label>
            <label>
              To
              <input
                type="datetime-local"
                aria-label="To"
                value={toInputValue(range.toMs, timeZone)}
                onChange={(e) =>
                  setRange((r) => ({ ...r, toMs: fromInputValue(e.target.value, timeZone) }))
                }
              />
            </label>
          </>
        )}
        <input
          type="search"
          className="explorer-search"
          aria-label="Quick search"
          placeholder="Search all fields…"
          value={searchText}
          onChange={(e) => setSearchText(e.target.value)}
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
        <span className="explorer-status" role="status" data-testid="explorer-status">
          {summary ? statusText(summary, progress) : ''}
          {duplicates > 0 && ` · ${duplicates.toLocaleString()} duplicates collapsed`}
        </span>
      </div>

      <div className="explorer-toolbar">
        <SavedFiltersBar db={db} currentSpec={currentSpec} onApply={applySpec} />
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
        {exporting ? (
          <span className="export-progress">
            <progress
              aria-label="Export progress"
              max={Math.max(1, exporting.total)}
              value={exporting.done}
            />
            {exporting.done.toLocaleString()} / {exporting.total.toLocaleString()}
            <button type="button" onClick={() => exportAbort.current?.abort()}>
              Cancel
            </button>
          </span>
        ) : (
          <>
            <button type="button" onClick={() => void exportView('csv')}>
              Export CSV
            </button>
            <button type="button" onClick={() => void exportView('xlsx')}>
              Export XLSX
            </button>
            <button type="button" onClick={() => void exportView('ndjson')}>
              Export NDJSON
            </button>
            <button
              type="button"
              title="One XLSX and a printable HTML page for a reviewer — cover, summary, resources, sharing, findings and this view's records — made from a snapshot of this view whose fingerprint is on the cover"
              onClick={() => void makeReviewPack()}
            >
              Review pack
            </button>
          </>
        )}
        {notice && (
          <span className="muted" role="status" data-testid="explorer-notice">
            {notice}
          </span>
        )}
        {pack && <ReviewPackNotice pack={pack} onClose={() => setPack(null)} />}
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
          <AgGridReact<GridRow>
            theme={GRID_THEME}
            rowModelType="infinite"
            datasource={datasource}
            cacheBlockSize={BLOCK}
            maxBlocksInCache={200}
            blockLoadDebounceMillis={30}
            columnDefs={columnDefs}
            maintainColumnOrder
            getRowId={(params) => params.data.id}
            rowSelection={{ mode: 'singleRow', checkboxes: false, enableClickSelection: true }}
            onGridReady={onGridReady}
            onRowClicked={(event: RowClickedEvent<GridRow>) => {
              if (event.data && event.rowIndex !== null) {
                setSelected({ index: event.rowIndex, id: event.data.id })
              }
            }}
            onCellFocused={onCellFocused}
            onSortChanged={(event) =>
              setSort(
                sortFromModel(
                  event.api
                    .getColumnState()
                    .filter((c) => c.sort)
                    .sort((a, b) => (a.sortIndex ?? 0) - (b.sortIndex ?? 0))
                    .map((c) => ({ colId: c.colId, sort: c.sort! }))
                )
              )
            }
            onFilterChanged={(event: FilterChangedEvent<GridRow>) =>
              setColumnFilters(event.api.getFilterModel() as Record<string, ColumnFilter>)
            }
            onColumnMoved={(event) => event.finished && saveLayout(event.api)}
            onColumnResized={(event) => event.finished && saveLayout(event.api)}
            onColumnVisible={(event) => saveLayout(event.api)}
            tooltipShowDelay={400}
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
          />
        )}
      </div>
    </div>
  )
}
