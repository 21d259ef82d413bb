import { useMemo } from 'react'

import {
  coverage,
  coverageRuns,
  HOUR_STATUSES,
  type HourStatus,
  type Ledger
} from '../../../shared/acquisition'

const LABEL: Record<HourStatus, string> = {
  complete: 'Complete',
  imported: 'Imported from a file',
  partial: 'Partial',
  gap: 'Gap',
  pending: 'Pending'
}

/** At most this many runs of hours that are not complete are spelled out below the strip. */
const MAX_LISTED_RUNS = 12

interface Props {
  ledger: Ledger
  since: Date
  until: Date
  /** Only this tenant's ledger entries (default: every tenant). */
  tenantId?: string
  now: Date
  /** A sync is running: windows it has not reached read "not tried yet", not "stopped". */
  isSyncing?: boolean
  /** Only this source's windows (a workspace connection shows what its workspace covers). */
  source?: 'workspace' | 'adx'
}

function utc(iso: string): string {
  return `${iso.replace('T', ' ').slice(0, 16)} UTC`
}

/**
 * One cell per hour: complete, imported from a file (records a file brought, never checked
 * against the API), partial, gap (content that can no longer be had) or pending, from
 * the ledger, so an auditor sees at a glance what the cache holds and what it does not; below it,
 * every run of hours that is not complete with the reason (and, when pending, when it settles).
 */
export function CoverageTimeline({
  ledger,
  since,
  until,
  tenantId,
  now,
  isSyncing = false,
  source
}: Props): React.JSX.Element {
  const hours = useMemo(
    () =>
      coverage(
        ledger,
        {
          start: since,
          end: until,
          ...(tenantId ? { tenantId } : {}),
          isSyncing,
          ...(source ? { source } : {})
        },
        now
      ),
    [ledger, since, until, tenantId, now, isSyncing, source]
  )
  const counts = hours.reduce<Record<HourStatus, number>>(
    (acc, h) => ({ ...acc, [h.status]: acc[h.status] + 1 }),
    { complete: 0, imported: 0, partial: 0, gap: 0, pending: 0 }
  )
  const notComplete = useMemo(
    () => coverageRuns(hours).filter((r) => r.status !== 'complete'),
    [hours]
  )
  return (
    <figure className="coverage" aria-label="Coverage by hour">
      <div className="coverage-strip" role="list" aria-label="Every hour">
        {hours.map((h) => (
          <span
            key={h.hour}
            role="listitem"
            className={`coverage-cell coverage-${h.status}`}
            title={`${utc(h.hour)} — ${LABEL[h.status]}${h.reason ? `: ${h.reason}` : ''}`}
            data-status={h.status}
          />
        ))}
      </div>
      <figcaption className="coverage-legend">
        {HOUR_STATUSES.map((s) => (
          <span key={s} data-testid={`coverage-${s}`}>
            <span className={`coverage-cell coverage-${s}`} aria-hidden="true" /> {LABEL[s]}:{' '}
            {counts[s]} h
          </span>
        ))}
      </figcaption>
      {notComplete.length > 0 && (
        <ul className="coverage-reasons" aria-label="Hours not complete">
          {notComplete.slice(0, MAX_LISTED_RUNS).map((r) => (
            <li key={r.start} data-status={r.status}>
              <span className={`coverage-cell coverage-${r.status}`} aria-hidden="true" />{' '}
              {utc(r.start)} – {utc(r.end)} ({r.hours} h) · {LABEL[r.status]}: {r.reason}
            </li>
          ))}
          {notComplete.length > MAX_LISTED_RUNS && (
            <li className="muted">
              …and {notComplete.length - MAX_LISTED_RUNS} more (hover the strip for each hour)
            </li>
          )}
        </ul>
      )}
    </figure>
  )
}
