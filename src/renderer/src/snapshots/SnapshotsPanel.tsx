import { useEffect, useState } from 'react'

import { FileDropZone } from '../components/FileDropZone'
import type { AppApi, Shell, SnapshotVerification } from '../../../shared/ipc/contract'
import { SNAPSHOT_EXTENSION } from '../../../shared/snapshot/snapshot-format'

import type { ExportState, ImportState, Snapshots } from './use-snapshots'

/** Props of {@link SnapshotsPanel}. */
export interface SnapshotsPanelProps {
  api: AppApi
  /** Owned by App (useSnapshots) so an import goes on while the user switches views. */
  snapshots: Snapshots
}

function formatBytes(bytes: number): string {
  return bytes < 1024 * 1024
    ? `${Math.ceil(bytes / 1024).toLocaleString()} KB`
    : `${(bytes / (1024 * 1024)).toLocaleString(undefined, { maximumFractionDigits: 1 })} MB`
}

function percent(done: number, total: number): number {
  return total > 0 ? Math.min(100, Math.round((done / total) * 100)) : 0
}

/**
 * Snapshot export and import: writes the whole cache as a verifiable snapshot (showing where it
 * went and its fingerprint), and imports a snapshot after verifying it, showing the result.
 */
export function SnapshotsPanel({ api, snapshots }: SnapshotsPanelProps): React.JSX.Element {
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

  const { exportState, importState } = snapshots
  const isExporting = exportState.status === 'running'
  const isImporting =
    importState.status === 'uploading' ||
    importState.status === 'verifying' ||
    importState.status === 'importing'
  const isBusy = isImporting || isExporting

  return (
    <section className="sync-panel snapshots-panel" aria-labelledby="snapshots-title">
      <h2 id="snapshots-title">Snapshots</h2>
      <p className="muted">
        A snapshot holds every cached record, the coverage ledger, tags and comments, with hashes
        that show any change. Give the recipient its fingerprint so they can check it (
        <code>cax verify --expect</code>).
      </p>

      <div className="actions">
        {isExporting ? (
          <button type="button" onClick={snapshots.cancelExport}>
            Cancel export
          </button>
        ) : (
          <button
            type="button"
            className="primary"
            disabled={isImporting}
            onClick={() => void snapshots.exportCache()}
          >
            Export snapshot
          </button>
        )}
      </div>
      <ExportStatus state={exportState} />

      <FileDropZone
        label="Import snapshot"
        testId="snapshot-drop-zone"
        isBusy={isBusy}
        onFile={(file) => void snapshots.importFile(file)}
      >
        <p className="muted">
          Drop a <code>.caxsnap</code> file here, or{' '}
          {shell === 'desktop' ? 'choose one:' : 'pick one from this computer:'}
        </p>
        <div className="actions">
          {importState.status === 'importing' ? (
            <button type="button" onClick={() => void snapshots.cancelImport()}>
              Cancel import
            </button>
          ) : shell === 'desktop' ? (
            <button type="button" disabled={isBusy} onClick={() => void snapshots.importSnapshot()}>
              Import snapshot…
            </button>
          ) : (
            <label className={`button${isBusy || shell === null ? ' is-disabled' : ''}`}>
              Import snapshot…
              <input
                type="file"
                accept={SNAPSHOT_EXTENSION}
                aria-label="Snapshot file"
                className="visually-hidden"
                disabled={isBusy || shell === null}
                onChange={(e) => {
                  const file = e.target.files?.[0]
                  e.target.value = ''
                  if (file) {
                    void snapshots.importFile(file)
                  }
                }}
              />
            </label>
          )}
        </div>
      </FileDropZone>
      <ImportStatus state={importState} />
    </section>
  )
}

function ExportStatus({ state }: { state: ExportState }): React.JSX.Element | null {
  if (state.status === 'running') {
    return (
      <div className="sync-progress" role="status" aria-label="Export progress">
        <progress max={100} value={percent(state.sent, state.total)} />
        <p>
          {state.path ? `Writing ${state.path}` : 'Preparing…'} · {state.sent.toLocaleString()} of{' '}
          {state.total.toLocaleString()} records
        </p>
      </div>
    )
  }
  if (state.status === 'done') {
    return (
      <div className="sync-result" role="status" data-testid="snapshot-export-result">
        <p>
          Exported {state.records.toLocaleString()} records to{' '}
          <code data-testid="snapshot-export-path">{state.path}</code>
        </p>
        <p>
          Fingerprint: <code data-testid="snapshot-export-fingerprint">{state.fingerprint}</code>
        </p>
      </div>
    )
  }
  if (state.status === 'cancelled') {
    return (
      <p role="status" className="muted">
        Export cancelled; no file was left behind.
      </p>
    )
  }
  if (state.status === 'failed') {
    return (
      <div className="notice" role="alert" data-code={state.error.code}>
        Export failed: {state.error.message}
      </div>
    )
  }
  return null
}

function ImportStatus({ state }: { state: ImportState }): React.JSX.Element | null {
  if (state.status === 'idle') {
    return null
  }
  return (
    <div data-testid="snapshot-import" data-status={state.status}>
      {state.status === 'uploading' && state.upload && (
        <div className="sync-progress" role="status" aria-label="Upload progress">
          <progress max={100} value={percent(state.upload.sent, state.upload.total)} />
          <p>
            Uploading {state.name ?? 'the snapshot'} · {formatBytes(state.upload.sent)} of{' '}
            {formatBytes(state.upload.total)}
          </p>
        </div>
      )}
      {state.status === 'verifying' && (
        <p role="status">Verifying {state.name ?? 'the snapshot'}…</p>
      )}
      {state.verification && (
        <VerificationResult path={state.name} verification={state.verification} />
      )}
      {state.status === 'refused' && (
        <div className="notice" role="alert">
          Nothing was imported: the snapshot failed verification.
        </div>
      )}
      {(state.status === 'importing' ||
        state.status === 'done' ||
        state.status === 'cancelled' ||
        (state.status === 'failed' && state.verification)) && (
        <p role="status" data-testid="snapshot-import-counts">
          {state.status === 'importing'
            ? 'Importing… '
            : state.status === 'done'
              ? 'Imported: '
              : 'Stopped after: '}
          {state.counts.records.toLocaleString()} records ({state.counts.new.toLocaleString()} new,{' '}
          {state.counts.duplicates.toLocaleString()} duplicates)
          {state.status === 'done'
            ? `, ${state.counts.annotations.toLocaleString()} annotations, ${state.counts.ledgerEntries.toLocaleString()} ledger entries`
            : ''}
        </p>
      )}
      {state.error && state.status !== 'refused' && (
        <div className="notice" role="alert" data-code={state.error.code}>
          {state.status === 'cancelled' ? 'Import cancelled' : 'Import failed'}:{' '}
          {state.error.message}
        </div>
      )}
    </div>
  )
}

/** What verifying a snapshot found: its identity when it passed, every failure when not. */
export function VerificationResult({
  path,
  verification
}: {
  path: string | null
  verification: SnapshotVerification
}): React.JSX.Element {
  const { manifest } = verification
  return (
    <div
      className={verification.ok ? 'sync-result' : 'notice'}
      role={verification.ok ? 'status' : 'alert'}
      data-testid="snapshot-verification"
      data-ok={verification.ok ? 'true' : 'false'}
    >
      <p>
        {verification.ok ? 'Verified' : 'Verification failed'}
        {path ? `: ${path}` : ''}
      </p>
      <dl>
        <dt>Fingerprint</dt>
        <dd>
          <code>{verification.fingerprint ?? 'unknown (the manifest could not be read)'}</code>
        </dd>
        {manifest && (
          <>
            <dt>Records</dt>
            <dd>{manifest.recordCount.toLocaleString()}</dd>
            <dt>Created</dt>
            <dd>{new Date(manifest.createdAt).toLocaleString()}</dd>
            <dt>App version</dt>
            <dd>{manifest.appVersion}</dd>
          </>
        )}
      </dl>
      {verification.failures.length > 0 && (
        <ul aria-label="Verification failures">
          {verification.failures.map((f, i) => (
            <li key={`${f.part}-${f.code}-${i}`} data-part={f.part} data-code={f.code}>
              <strong>{f.part}</strong>: {f.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
