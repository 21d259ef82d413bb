import { useEffect, useState } from 'react'

import { FileDropZone } from '../components/FileDropZone'
import type { AppApi, Shell } from '../../../shared/ipc/contract'

import { formatDuration, importRate, rejectionsCsv } from './import-figures'
import type { AuditImport, AuditImportState } from './use-audit-import'

/** Props of {@link AuditImportPanel}. */
export interface AuditImportPanelProps {
  api: AppApi
  /** Owned by App (useAuditImport) so an import goes on while the user switches views. */
  auditImport: AuditImport
}

/** Rejected rows shown on the page; all of them are in the saved file. */
const SHOWN_REJECTIONS = 200

/**
 * Import of audit exports (Purview portal CSV, Search-UnifiedAuditLog CSV, JSON arrays, NDJSON,
 * Management API blob dumps; the format is detected): pick or drop a file, watch the progress,
 * cancel, and see (and save) every row that was refused.
 */
export function AuditImportPanel({ api, auditImport }: AuditImportPanelProps): React.JSX.Element {
  const [shell, setShell] = useState<Shell | null>(null)

  useEffect(() => {
    let isActive = true
    void api.app.getInfo({}).then((info) => {
      if (isActive) {
        setShell(info.ok ? info.value.shell : 'browser')
      }
    })
    return () => {
      isActive = false
    }
  }, [api])

  const { state } = auditImport
  const isBusy = state.status === 'uploading' || state.status === 'importing'

  return (
    <section className="sync-panel audit-import-panel" aria-labelledby="audit-import-title">
      <h2 id="audit-import-title">Import audit file</h2>
      <FileDropZone
        label="Import audit file"
        testId="audit-import-drop-zone"
        isBusy={isBusy}
        onFile={(file) => void auditImport.importFile(file)}
      >
        <p className="muted">
          Drop a Purview or Search-UnifiedAuditLog CSV export, a JSON array, NDJSON or Management
          API blobs here (the format is detected), or{' '}
          {shell === 'desktop' ? 'choose one:' : 'pick one from this computer:'}
        </p>
        <div className="actions">
          {state.status === 'importing' ? (
            <button type="button" onClick={() => void auditImport.cancel()}>
              Cancel import
            </button>
          ) : shell === 'desktop' ? (
            <button
              type="button"
              disabled={isBusy}
              onClick={() => void auditImport.chooseAndImport()}
            >
              Import audit file…
            </button>
          ) : (
            <label className={`button${isBusy || shell === null ? ' is-disabled' : ''}`}>
              Import audit file…
              <input
                type="file"
                accept=".csv,.json,.ndjson,.txt,text/csv,application/json"
                aria-label="Audit file"
                className="visually-hidden"
                disabled={isBusy || shell === null}
                onChange={(e) => {
                  const file = e.target.files?.[0]
                  e.target.value = ''
                  if (file) {
                    void auditImport.importFile(file)
                  }
                }}
              />
            </label>
          )}
        </div>
      </FileDropZone>
      <ImportProgress state={state} />
      <ImportResult state={state} />
      <Rejections state={state} />
    </section>
  )
}

function ImportProgress({ state }: { state: AuditImportState }): React.JSX.Element | null {
  const [now, setNow] = useState(() => Date.now())
  const isRunning = state.status === 'uploading' || state.status === 'importing'
  useEffect(() => {
    if (!isRunning) {
      return
    }
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [isRunning])
  if (state.status === 'uploading' && state.upload) {
    const { sent, total } = state.upload
    return (
      <div className="sync-progress" role="status" aria-label="Audit import progress">
        <progress max={Math.max(1, total)} value={sent} />
        <p>
          Uploading {state.name}: {Math.round((sent / Math.max(1, total)) * 100)} %
        </p>
      </div>
    )
  }
  if (state.status !== 'importing') {
    return null
  }
  const progress = state.progress
  const rate =
    progress && state.startedAt !== null ? importRate(progress, now - state.startedAt) : null
  return (
    <div className="sync-progress" role="status" aria-label="Audit import progress">
      <progress max={Math.max(1, progress?.totalBytes ?? 1)} value={progress?.bytesRead ?? 0} />
      <p>
        Importing {state.name}: {(progress?.rowsRead ?? 0).toLocaleString()} rows read,{' '}
        {state.committed.toLocaleString()} stored
        {rate && ` · ${Math.round(rate.rowsPerSecond).toLocaleString()} rows/s`}
        {rate?.secondsLeft != null && ` · about ${formatDuration(rate.secondsLeft)} left`}
      </p>
    </div>
  )
}

function ImportResult({ state }: { state: AuditImportState }): React.JSX.Element | null {
  if (state.status === 'failed' && !state.counts) {
    return (
      <p className="error" role="alert">
        {state.name ? `${state.name}: ` : ''}
        {state.error?.message}
      </p>
    )
  }
  if (!state.counts) {
    return null
  }
  const c = state.counts
  const headline =
    state.status === 'done'
      ? `Imported ${state.name}`
      : state.status === 'cancelled'
        ? `Import of ${state.name} cancelled: the ${c.committed.toLocaleString()} records stored before it stopped are kept`
        : `Import of ${state.name} stopped: ${state.error?.message ?? 'an error'}. The ${c.committed.toLocaleString()} records stored before it are kept`
  return (
    <div
      className="sync-result"
      role={state.status === 'failed' ? 'alert' : 'status'}
      data-testid="audit-import-result"
    >
      <p>{headline}.</p>
      <p>
        {c.rowsRead.toLocaleString()} rows read{state.format ? ` (${state.format})` : ''}:{' '}
        {c.new.toLocaleString()} new, {c.alreadyCached.toLocaleString()} already cached,{' '}
        {c.duplicatesInFile.toLocaleString()} duplicates in the file, {c.rejected.toLocaleString()}{' '}
        rejected.
      </p>
      {state.warnings.map((warning) => (
        <p key={warning} className="muted">
          {warning}
        </p>
      ))}
    </div>
  )
}

function Rejections({ state }: { state: AuditImportState }): React.JSX.Element | null {
  if (state.rejections.length === 0) {
    return null
  }
  const name = state.name ?? 'audit file'
  const save = (): void => {
    const blob = new Blob([rejectionsCsv(name, state.rejections)], { type: 'text/csv' })
    const url = URL.createObjectURL(blob)
    const link = document.createElement('a')
    link.href = url
    link.download = `${name}.rejected.csv`
    link.click()
    setTimeout(() => URL.revokeObjectURL(url), 0)
  }
  return (
    <div className="audit-import-rejections">
      <h3>
        Rejected rows ({state.rejections.length.toLocaleString()}
        {state.isRejectionListTruncated ? '+' : ''})
      </h3>
      <button type="button" onClick={save}>
        Save rejected rows (CSV)
      </button>
      {state.isRejectionListTruncated && (
        <p className="muted">
          Only the first {state.rejections.length.toLocaleString()} are listed and saved; the count
          above includes every one.
        </p>
      )}
      <table data-testid="audit-import-rejections">
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col">Line</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {state.rejections.slice(0, SHOWN_REJECTIONS).map((row) => (
            <tr key={row.line}>
              <td>{name}</td>
              <td>{row.line}</td>
              <td title={row.excerpt}>{row.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {state.rejections.length > SHOWN_REJECTIONS && (
        <p className="muted">
          The first {SHOWN_REJECTIONS} are shown; save the list for all of them.
        </p>
      )}
    </div>
  )
}
