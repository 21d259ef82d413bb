import { useEffect, useMemo, useState } from 'react'

import { emptyLedger, type Ledger } from '../../../shared/acquisition'
import type { AppApi } from '../../../shared/ipc/contract'
import type { AuthState, Profile } from '../../../shared/profiles'
import type { AppDb } from '../db/app-db'
import { ErrorNotice } from '../connections/ErrorNotice'
import { AuditImportPanel } from '../imports/AuditImportPanel'
import type { AuditImport } from '../imports/use-audit-import'
import { SnapshotsPanel } from '../snapshots/SnapshotsPanel'
import { loadWholeLedger, type Snapshots } from '../snapshots/use-snapshots'

import { AcquisitionLogPanel } from './AcquisitionLogPanel'
import { CoverageTimeline } from './CoverageTimeline'
import {
  importedRange,
  needsHistory,
  parseCustomRange,
  presetRange,
  RANGE_PRESETS
} from './sync-ranges'
import { loadLedger, type Sync } from './use-sync'

interface Props {
  db: AppDb
  sync: Sync
  profiles: Profile[]
  states: Map<string, AuthState>
  /** The API and the snapshot state, for the snapshots panel shown below the sync. */
  api: AppApi
  snapshots: Snapshots
  /** The audit-file import, for its panel shown below the sync. */
  auditImport: AuditImport
}

function percent(done: number, total: number): number {
  return total > 0 ? Math.min(100, Math.round((done / total) * 100)) : 0
}

/** Pick a connection and a range, run the sync, watch its progress and the coverage it leaves. */
export function SyncPanel({
  db,
  sync,
  profiles,
  states,
  api,
  snapshots,
  auditImport
}: Props): React.JSX.Element {
  const signedIn = profiles.filter((p) => states.get(p.id)?.status === 'signed-in')
  const [profileId, setProfileId] = useState<string>('')
  const [presetId, setPresetId] = useState('24h')
  const [customFrom, setCustomFrom] = useState('')
  const [customTo, setCustomTo] = useState('')
  const [rangeError, setRangeError] = useState<string | null>(null)
  const [ledger, setLedger] = useState<{ value: Ledger; loadedAt: Date }>(() => ({
    value: emptyLedger(),
    loadedAt: new Date()
  }))
  const { state, start, cancel, ledgerVersion, lastRange } = sync
  // Coverage shows the range of the latest sync or audit-file import, else the last 24 hours.
  const [defaultRange] = useState(() => presetRange(RANGE_PRESETS[0]!, new Date()))
  const importStatus = auditImport.state.status
  const importSpan = auditImport.state.span
  // Whichever came last, a sync's range or an import's span, is what the strip shows.
  const [latest, setLatest] = useState({ lastRange, importSpan, isImport: false })
  if (latest.lastRange !== lastRange || latest.importSpan !== importSpan) {
    setLatest({ lastRange, importSpan, isImport: latest.importSpan !== importSpan })
  }
  const importShown = useMemo(
    () => (latest.isImport && importSpan ? importedRange(importSpan) : null),
    [latest.isImport, importSpan]
  )
  const shownRange = importShown ?? lastRange ?? defaultRange

  const chosen = signedIn.find((p) => p.id === profileId) ?? signedIn[0]
  const tenantId = chosen ? (states.get(chosen.id)?.account?.tenantId ?? chosen.tenant) : ''

  useEffect(() => {
    let isCurrent = true
    // Without a connection, coverage is of every tenant (what imported files brought).
    void (tenantId ? loadLedger(db, tenantId) : loadWholeLedger(db)).then((loaded) => {
      if (isCurrent) {
        setLedger({ value: loaded, loadedAt: new Date() })
      }
    })
    return () => {
      isCurrent = false
    }
  }, [db, tenantId, ledgerVersion, importStatus])
  const hasWindows = Object.keys(ledger.value.windows).length > 0

  async function onStart(): Promise<void> {
    if (!chosen) {
      return
    }
    const current = new Date()
    const preset = RANGE_PRESETS.find((p) => p.id === presetId)
    const range = preset
      ? presetRange(preset, current)
      : parseCustomRange(customFrom, customTo, current)
    if ('error' in range) {
      setRangeError(range.error)
      return
    }
    setRangeError(null)
    await start({
      profileId: chosen.id,
      tenantId,
      since: range.since,
      until: range.until,
      history: needsHistory(range.since, current)
    })
  }

  const isBusy = state.status === 'starting' || state.status === 'running'
  const progress = state.status === 'running' ? state.progress : null

  return (
    <>
      <section className="sync-panel" aria-labelledby="sync-title">
        <h2 id="sync-title">Sync</h2>
        {signedIn.length === 0 ? (
          <p className="muted">
            Sign in to a connection first (Connections), or explore the demo tenant.
          </p>
        ) : (
          <div className="sync-controls">
            <label className="field">
              <span>Connection</span>
              <select
                aria-label="Connection to sync"
                value={chosen?.id ?? ''}
                onChange={(e) => setProfileId(e.target.value)}
                disabled={isBusy}
              >
                {signedIn.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.displayName}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span>Range</span>
              <select
                aria-label="Range"
                value={presetId}
                onChange={(e) => setPresetId(e.target.value)}
                disabled={isBusy}
              >
                {RANGE_PRESETS.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.label}
                  </option>
                ))}
                <option value="custom">Custom…</option>
              </select>
            </label>
            {presetId === 'custom' && (
              <>
                <label className="field">
                  <span>From (local time)</span>
                  <input
                    type="datetime-local"
                    value={customFrom}
                    onChange={(e) => setCustomFrom(e.target.value)}
                  />
                </label>
                <label className="field">
                  <span>To (empty: now)</span>
                  <input
                    type="datetime-local"
                    value={customTo}
                    onChange={(e) => setCustomTo(e.target.value)}
                  />
                </label>
              </>
            )}
            <div className="actions">
              {isBusy ? (
                <button type="button" onClick={() => void cancel()}>
                  Cancel sync
                </button>
              ) : (
                <button type="button" className="primary" onClick={() => void onStart()}>
                  Start sync
                </button>
              )}
            </div>
          </div>
        )}
        {rangeError && (
          <div className="notice" role="alert">
            {rangeError}
          </div>
        )}

        {state.status === 'starting' && <p role="status">Starting…</p>}
        {progress && (
          <div className="sync-progress" role="status" aria-label="Sync progress">
            <progress
              max={100}
              value={percent(
                progress.blobsDone +
                  progress.blobsFailed +
                  progress.blobsExpired +
                  progress.blobsSkipped,
                Math.max(progress.blobsListed, 1)
              )}
            />
            <p>
              {progress.phase === 'subscribing'
                ? 'Checking the subscription…'
                : progress.phase === 'querying'
                  ? 'Querying history…'
                  : `Windows ${progress.windowsDone}/${progress.windowsPlanned} · content ${progress.blobsDone}/${progress.blobsListed}`}{' '}
              · {progress.records.toLocaleString()} records ({progress.new.toLocaleString()} new,{' '}
              {progress.duplicates.toLocaleString()} duplicates)
              {progress.throttle.isThrottled && (
                <span className="throttled">
                  {' '}
                  · throttled by Microsoft, waiting
                  {progress.throttle.resumesAt
                    ? ` until ${new Date(progress.throttle.resumesAt).toLocaleTimeString()}`
                    : ''}
                </span>
              )}
            </p>
          </div>
        )}
        {state.status === 'finished' && state.error?.code !== 'auth/keychain-unavailable' && (
          <div
            className={state.outcome === 'complete' ? 'sync-result' : 'notice'}
            role={state.outcome === 'complete' ? 'status' : 'alert'}
            data-outcome={state.outcome}
          >
            {state.outcome === 'complete' && 'Sync complete.'}
            {state.outcome === 'partial' &&
              'Sync finished, but not everything was collected: the hours below say which and why. Start the sync again to retry what failed.'}
            {state.outcome === 'cancelled' &&
              'Sync cancelled. What was stored is kept; start again to resume.'}
            {state.outcome === 'failed' &&
              `Sync failed: ${state.error?.message ?? 'unknown error'}`}
            {state.summary && (
              <span data-testid="sync-summary">
                {' '}
                {state.summary.records.toLocaleString()} records received,{' '}
                {state.summary.new.toLocaleString()} new,{' '}
                {state.summary.duplicates.toLocaleString()} duplicates, {state.summary.gaps} gaps.
              </span>
            )}
          </div>
        )}
        {state.status === 'finished' && state.error?.code === 'auth/keychain-unavailable' && (
          <ErrorNotice api={api} error={state.error} />
        )}
        {(chosen || hasWindows) && (
          <CoverageTimeline
            ledger={ledger.value}
            since={shownRange.since}
            until={shownRange.until}
            {...(tenantId ? { tenantId } : {})}
            now={ledger.loadedAt}
            isSyncing={isBusy}
            {...(chosen?.kind === 'workspace' || chosen?.kind === 'adx'
              ? { source: chosen.kind }
              : {})}
          />
        )}
      </section>
      <AuditImportPanel api={api} auditImport={auditImport} />
      <SnapshotsPanel api={api} snapshots={snapshots} />
      <AcquisitionLogPanel api={api} />
    </>
  )
}
