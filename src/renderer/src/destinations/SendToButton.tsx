import { useRef, useState } from 'react'

import type { Destination, SendScope, SendSummary } from '../../../shared/destinations'
import { destinationTarget } from '../../../shared/destinations'
import type { AppApi } from '../../../shared/ipc/contract'
import type { Profile } from '../../../shared/profiles'
import type { QueryClient } from '../explorer/query-client'
import type { ExplorerQuery } from '../explorer/query-types'

import { DestinationForm } from './DestinationForm'
import { afterDelete } from './destination-fields'
import { runSend, summaryText, type SendStep } from './send-runner'

export interface SendToButtonProps {
  api: AppApi
  client: () => QueryClient | null
  query: () => ExplorerQuery
  total: number
  onNotice(text: string): void
}

const PHASES: Record<SendStep['phase'], string> = {
  'handing-over': 'Writing the snapshot',
  verifying: 'Verifying the snapshot',
  pushing: 'Sending and counting parts'
}

/**
 * **Send to…** (Explorer toolbar): pushes the view's records, or the whole cache, to a saved
 * Azure Data Explorer or Log Analytics destination through main, with progress, cancel and a
 * final summary (sent, already there, failed). Sending the same records again resumes.
 */
export function SendToButton({
  api,
  client,
  query,
  total,
  onNotice
}: SendToButtonProps): React.JSX.Element {
  const abort = useRef<AbortController | null>(null)
  const [isOpen, setIsOpen] = useState(false)
  const [destinations, setDestinations] = useState<Destination[]>([])
  const [profiles, setProfiles] = useState<Profile[]>([])
  const [chosen, setChosen] = useState('')
  const [scope, setScope] = useState<SendScope>('view')
  const [isAdding, setIsAdding] = useState(false)
  const [editing, setEditing] = useState<Destination | null>(null)
  const [isConfirmingDelete, setIsConfirmingDelete] = useState(false)
  const [step, setStep] = useState<SendStep | null>(null)
  const [summary, setSummary] = useState<SendSummary | null>(null)
  const [error, setError] = useState<string | null>(null)

  async function open(): Promise<void> {
    setIsOpen(true)
    const [listed, known] = await Promise.all([api.destinations.list({}), api.profiles.list({})])
    if (listed.ok) {
      setDestinations(listed.value)
      setChosen((c) => c || listed.value[0]?.id || '')
      setIsAdding(listed.value.length === 0)
    } else {
      setError(listed.error.message)
    }
    if (known.ok) {
      setProfiles(known.value)
    }
  }

  async function send(): Promise<void> {
    const worker = client()
    if (!worker || chosen === '') {
      return
    }
    const controller = new AbortController()
    abort.current = controller
    setSummary(null)
    setError(null)
    setStep({ phase: 'handing-over', done: 0, total, line: '', throttled: 0 })
    try {
      const outcome = await runSend({
        api,
        destinationId: chosen,
        scope,
        viewQuery: query(),
        fetchRecords: (q, start, end) => worker.request({ type: 'records', query: q, start, end }),
        signal: controller.signal,
        onProgress: setStep
      })
      if (outcome.status === 'done') {
        setSummary(outcome.summary)
      } else if (outcome.status === 'cancelled') {
        setError(
          'Send cancelled. Parts already counted at the destination are recorded: send the same records again to resume.'
        )
      } else {
        setError(`Send failed: ${outcome.error.message}`)
      }
    } catch (caught) {
      setError(`Send failed: ${caught instanceof Error ? caught.message : String(caught)}`)
    } finally {
      setStep(null)
      abort.current = null
    }
  }

  async function remove(destination: Destination): Promise<void> {
    setIsConfirmingDelete(false)
    const deleted = await api.destinations.delete({ destinationId: destination.id })
    if (!deleted.ok) {
      setError(`Not deleted: ${deleted.error.message}`)
      return
    }
    setError(null)
    setSummary(null)
    const next = afterDelete(destinations, destination.id, chosen)
    setDestinations(next.destinations)
    setChosen(next.chosen)
    setIsAdding(next.destinations.length === 0)
    onNotice(`Destination ${destination.displayName} deleted.`)
  }

  const selected = destinations.find((d) => d.id === chosen)

  return (
    <div className="column-chooser">
      <button
        type="button"
        aria-expanded={isOpen}
        onClick={() => (isOpen ? setIsOpen(false) : void open())}
      >
        Send to…
      </button>
      {isOpen && (
        <div className="column-chooser-panel send-to-panel" role="dialog" aria-label="Send to">
          {isAdding || editing ? (
            <DestinationForm
              key={editing?.id ?? 'new'}
              api={api}
              profiles={profiles}
              {...(editing ? { editing } : {})}
              onSaved={(d) => {
                setDestinations((all) =>
                  all.some((x) => x.id === d.id)
                    ? all.map((x) => (x.id === d.id ? d : x))
                    : [...all, d]
                )
                setChosen(d.id)
                setIsAdding(false)
                setEditing(null)
                onNotice(`Destination ${d.displayName} saved.`)
              }}
              onCancel={() => {
                setIsAdding(false)
                setEditing(null)
              }}
            />
          ) : (
            <>
              <label>
                Destination
                <select
                  aria-label="Destination"
                  value={chosen}
                  disabled={step !== null}
                  onChange={(e) => {
                    setChosen(e.target.value)
                    setIsConfirmingDelete(false)
                  }}
                >
                  {destinations.map((d) => (
                    <option key={d.id} value={d.id}>
                      {d.displayName}
                    </option>
                  ))}
                </select>
              </label>
              {selected && (
                <p
                  className="muted"
                  data-testid="send-target"
                  data-cluster={selected.kind === 'adx' ? selected.adx.cluster : ''}
                  data-endpoint={
                    selected.kind === 'loganalytics' ? selected.loganalytics.endpoint : ''
                  }
                >
                  {destinationTarget(selected)}
                </p>
              )}
              {selected && step === null && (
                <div className="explorer-toolbar">
                  <button
                    type="button"
                    onClick={() => {
                      setIsConfirmingDelete(false)
                      setEditing(selected)
                    }}
                  >
                    Edit destination…
                  </button>
                  <button type="button" onClick={() => setIsConfirmingDelete(true)}>
                    Delete destination…
                  </button>
                </div>
              )}
              {selected && isConfirmingDelete && step === null && (
                <div role="alertdialog" aria-label="Delete destination">
                  <p>
                    Delete the destination <strong>{selected.displayName}</strong>? Records already
                    sent stay where they are; only this saved destination goes.
                  </p>
                  <div className="explorer-toolbar">
                    <button type="button" onClick={() => void remove(selected)}>
                      Delete
                    </button>
                    <button type="button" onClick={() => setIsConfirmingDelete(false)}>
                      Keep it
                    </button>
                  </div>
                </div>
              )}
              <fieldset disabled={step !== null}>
                <label>
                  <input
                    type="radio"
                    name="send-scope"
                    checked={scope === 'view'}
                    onChange={() => setScope('view')}
                  />
                  This view ({total.toLocaleString()} records)
                </label>
                <label>
                  <input
                    type="radio"
                    name="send-scope"
                    checked={scope === 'cache'}
                    onChange={() => setScope('cache')}
                  />
                  The whole cache
                </label>
              </fieldset>
              {step ? (
                <div className="export-progress">
                  <progress
                    aria-label="Send progress"
                    max={Math.max(1, step.total)}
                    value={step.done}
                  />
                  <span data-testid="send-phase">
                    {PHASES[step.phase]}: {step.done.toLocaleString()} /{' '}
                    {step.total.toLocaleString()}
                    {step.throttled > 0 && ` · throttled ${step.throttled}×, waiting as asked`}
                  </span>
                  <button type="button" onClick={() => abort.current?.abort()}>
                    Cancel send
                  </button>
                </div>
              ) : (
                <div className="explorer-toolbar">
                  <button type="button" disabled={!selected} onClick={() => void send()}>
                    Send
                  </button>
                  <button type="button" onClick={() => setIsAdding(true)}>
                    Add destination…
                  </button>
                  <button type="button" onClick={() => setIsOpen(false)}>
                    Close
                  </button>
                </div>
              )}
              {step?.line && <p className="muted">{step.line}</p>}
            </>
          )}
          {summary && (
            <div
              className="sync-result"
              role="status"
              data-testid="send-summary"
              data-status={summary.status}
              data-sent={summary.sentRecords}
              data-already-there={summary.alreadyThereRecords}
              data-failed={summary.failedRecords}
            >
              {summaryText(summary)} Sent from the verified snapshot{' '}
              <code>{summary.fingerprint.slice(0, 16)}…</code>.
              {summary.failures.length > 0 && (
                <ul>
                  {summary.failures.map((f) => (
                    <li key={f}>{f}</li>
                  ))}
                </ul>
              )}
            </div>
          )}
          {error && (
            <p className="search-error" role="alert">
              {error}
            </p>
          )}
        </div>
      )}
    </div>
  )
}
