import type { GridApi } from 'ag-grid-community'
import { useRef, useState } from 'react'

import type { ExplorerColumn, TimeZoneMode } from './explorer-columns'
import { exportFileName, openFileSink, runExport, type ExportFormat } from './export-runner'
import type { QueryClient } from './query-client'
import type { ExplorerQuery, GridRow } from './query-types'

export interface ExportControlsProps {
  /** The grid and the worker's client as they are when an export starts. */
  grid: () => GridApi<GridRow> | null
  client: () => QueryClient | null
  columns: readonly ExplorerColumn[]
  timeZone: TimeZoneMode
  /** The query of the view being exported, read when the export starts. */
  query: () => ExplorerQuery
  total: number
  onNotice(text: string): void
}

/** Export buttons (CSV, XLSX, NDJSON) for exactly the current view, with progress and cancel. */
export function ExportControls({
  grid,
  client,
  columns,
  timeZone,
  query,
  total,
  onNotice
}: ExportControlsProps): React.JSX.Element {
  const abort = useRef<AbortController | null>(null)
  const [exporting, setExporting] = useState<{ done: number; total: number } | null>(null)

  async function exportView(format: ExportFormat): Promise<void> {
    const api = grid()
    const worker = client()
    if (!api || !worker) {
      return
    }
    const byId = new Map(columns.map((c) => [c.colId, c]))
    const shown = api
      .getAllDisplayedColumns()
      .map((c) => byId.get(c.getColId()))
      .filter((c): c is ExplorerColumn => c !== undefined)
    const base = `connector-audit-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}`
    const controller = new AbortController()
    abort.current = controller
    const exportQuery = query()
    setExporting({ done: 0, total })
    try {
      const result = await runExport({
        format,
        columns: shown,
        timeZone,
        fetchRows: (start, end) => worker.request({ type: 'rows', query: exportQuery, start, end }),
        fetchRecords: (start, end) =>
          worker.request({ type: 'records', query: exportQuery, start, end }),
        openSink: (part) => openFileSink(exportFileName(base, format, part), format),
        signal: controller.signal,
        onProgress: (done, all) => setExporting({ done, total: all })
      })
      if (result !== null) {
        onNotice(
          result === 'cancelled'
            ? 'Export cancelled.'
            : `Exported ${result.toLocaleString()} rows (${format.toUpperCase()}).`
        )
      }
    } catch (error) {
      onNotice(`Export failed: ${error instanceof Error ? error.message : String(error)}`)
    } finally {
      setExporting(null)
      abort.current = null
    }
  }

  if (exporting) {
    return (
      <span className="export-progress">
        <progress
          aria-label="Export progress"
          max={Math.max(1, exporting.total)}
          value={exporting.done}
        />
        {exporting.done.toLocaleString()} / {exporting.total.toLocaleString()}
        <button type="button" onClick={() => abort.current?.abort()}>
          Cancel
        </button>
      </span>
    )
  }
  return (
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
    </>
  )
}
