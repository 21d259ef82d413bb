import { useMemo } from 'react'

import { coverage, type HourStatus, type Ledger } from '../../../shared/acquisition'

const LABEL: Record<HourStatus, string> = {
  complete: 'Complete',
  partial: 'Partial',
  gap: 'Gap',
  pending: 'Pending'
}

interface Props {
  ledger: Ledger
  since: Date
  until: Date
  tenantId: string
  now: Date
}

/**
 * One cell per hour: complete, partial, gap (content that can no longer be had) or pending, from
 * the ledger, so an auditor sees at a glance what the cache holds and what it does not.
 */
export function CoverageTimeline({
  ledger,
  since,
  until,
  tenantId,
  now
}: Props): React.JSX.Element {
  const hours = useMemo(
    () => coverage(ledger, { start: since, end: until, tenantId }, now),
    [ledger, since, until, tenantId, now]
  )
  const counts = hours.reduce<Record<HourStatus, number>>(
    (acc, h) => ({ ...acc, [h.status]: acc[h.status] + 1 }),
    { complete: 0, partial: 0, gap: 0, pending: 0 }
  )
  return (
    <figure className="coverage" aria-label="Coverage by hour">
      <div className="coverage-strip" role="list">
        {hours.map((h) => (
          <span
            key={h.hour}
            role="listitem"
            className={`coverage-cell coverage-${h.status}`}
            title={`${h.hour.replace('T', ' ').slice(0, 16)} UTC — ${LABEL[h.status]}${h.reason ? `: ${h.reason}` : ''}`}
            data-status={h.status}
          />
        ))}
      </div>
      <figcaption className="coverage-legend">
        {(Object.keys(LABEL) as HourStatus[]).map((s) => (
          <span key={s} data-testid={`coverage-${s}`}>
            <span className={`coverage-cell coverage-${s}`} aria-hidden="true" /> {LABEL[s]}:{' '}
            {counts[s]} h
          </span>
        ))}
      </figcaption>
    </figure>
  )
}
