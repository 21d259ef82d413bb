import { useEffect, useState } from 'react'

import type { AcquisitionLogEntryInfo, AppApi } from '../../../shared/ipc/contract'

import { describeLogEntry } from './acquisition-log-text'

interface Listing {
  entries: AcquisitionLogEntryInfo[]
  total: number
  problems: string[]
}

/**
 * The app's acquisition log, newest first: every audit file imported here (desktop or browser
 * shell) with its name, size, SHA-256, format, outcome, counts and the time span of its records.
 * The log is hash-chained in main's data folder; a break in the chain is shown, never hidden.
 */
export function AcquisitionLogPanel({ api }: { api: AppApi }): React.JSX.Element {
  const [listing, setListing] = useState<Listing | null>(null)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    let isCurrent = true
    const load = (): void => {
      void api.acquire.listLog({}).then((result) => {
        if (!isCurrent) {
          return
        }
        if (result.ok) {
          setListing(result.value)
          setError(null)
        } else {
          setError(result.error.message)
        }
      })
    }
    load()
    const off = api.acquire.onDidChangeLog(load)
    return () => {
      isCurrent = false
      off()
    }
  }, [api])

  return (
    <section className="sync-panel acquisition-log" aria-labelledby="acquisition-log-title">
      <h2 id="acquisition-log-title">Acquisition log</h2>
      {error && (
        <p className="notice" role="alert">
          The acquisition log could not be read: {error}
        </p>
      )}
      {listing && listing.problems.length > 0 && (
        <div className="notice" role="alert" data-testid="acquisition-log-problems">
          The hash chain of the acquisition log is broken (was it edited?):
          <ul>
            {listing.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      )}
      {listing && listing.entries.length === 0 && (
        <p className="muted">Nothing imported yet: imports of audit files are recorded here.</p>
      )}
      {listing && listing.entries.length > 0 && (
        <>
          <p className="muted">
            {listing.total.toLocaleString()} entr{listing.total === 1 ? 'y' : 'ies'}, newest first;
            each carries the SHA-256 of the one before.
          </p>
          <ol className="acquisition-log-entries" aria-label="Acquisition log entries">
            {listing.entries.map((entry) => {
              const text = describeLogEntry(entry)
              return (
                <li key={entry.seq} data-testid="acquisition-log-entry" data-status={text.status}>
                  <div>
                    <strong>{text.title}</strong> <span className="muted">{text.when}</span>
                  </div>
                  {text.lines.map((line) => (
                    <div key={line} className="acquisition-log-line">
                      {line}
                    </div>
                  ))}
                </li>
              )
            })}
          </ol>
        </>
      )}
    </section>
  )
}
