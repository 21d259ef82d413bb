import { useEffect, useMemo, useState } from 'react'

import { KIND_LABELS } from '../../../shared/governance'
import type { ResourceKind, ResourceRow, ResourceState } from '../../../shared/governance'

import { GovernanceStatus } from './GovernanceStatus'
import {
  filterResources,
  formatUtc,
  holderText,
  resourceTitle,
  STATE_LABELS,
  type ResourceFilter
} from './governance-format'
import type { ResourceDetail } from './governance-engine'
import type { Governance } from './use-governance'
import './governance.css'

/** Rows drawn at most; the filter narrows the rest. */
const MAX_SHOWN = 500

/** Shows records in the Explorer (click-through). */
export type ShowRecords = (label: string, recordIds: string[]) => void

interface Props {
  governance: Governance
  onShowRecords: ShowRecords
}

/**
 * Resources: one row per connection, custom API and gateway in the cache with its state, creation,
 * last change and sharing; opening one shows its sharing and timeline.
 */
export function ResourcesView({ governance, onShowRecords }: Props): React.JSX.Element {
  const { overview } = governance
  const [filter, setFilter] = useState<ResourceFilter>({ text: '', kind: '', state: '' })
  const [selected, setSelected] = useState<string | null>(null)
  const rows = useMemo(
    () => (overview ? filterResources(overview.rows, filter) : []),
    [overview, filter]
  )
  const counts = useMemo(() => {
    const byState: Record<ResourceState, number> = { active: 0, deleted: 0, 'turned-off': 0 }
    for (const row of overview?.rows ?? []) {
      byState[row.state] += 1
    }
    return byState
  }, [overview])

  return (
    <section className="governance" aria-labelledby="resources-title" data-testid="resources">
      <header className="governance-header">
        <h1 id="resources-title">Resources</h1>
        <GovernanceStatus governance={governance} />
        {overview && (
          <span className="muted" data-testid="resource-counts">
            {overview.rows.length.toLocaleString()} resources: {counts.active.toLocaleString()}{' '}
            active, {counts.deleted.toLocaleString()} deleted,{' '}
            {counts['turned-off'].toLocaleString()} turned off by a data policy
            {overview.unattributed.length > 0 &&
              ` · ${overview.unattributed.length.toLocaleString()} connector records name no resource`}
          </span>
        )}
      </header>
      <div className="governance-toolbar" role="search" aria-label="Filter resources">
        <input
          type="search"
          aria-label="Find resources"
          placeholder="Name, id, environment, connector, holder…"
          value={filter.text}
          onChange={(e) => setFilter((f) => ({ ...f, text: e.target.value }))}
        />
        <label>
          Kind
          <select
            aria-label="Kind"
            value={filter.kind}
            onChange={(e) =>
              setFilter((f) => ({ ...f, kind: e.target.value as ResourceKind | '' }))
            }
          >
            <option value="">All</option>
            {(Object.keys(KIND_LABELS) as ResourceKind[]).map((kind) => (
              <option key={kind} value={kind}>
                {KIND_LABELS[kind]}
              </option>
            ))}
          </select>
        </label>
        <label>
          State
          <select
            aria-label="State"
            value={filter.state}
            onChange={(e) =>
              setFilter((f) => ({ ...f, state: e.target.value as ResourceState | '' }))
            }
          >
            <option value="">All</option>
            {(Object.keys(STATE_LABELS) as ResourceState[]).map((state) => (
              <option key={state} value={state}>
                {STATE_LABELS[state]}
              </option>
            ))}
          </select>
        </label>
        {overview && (
          <span className="muted" role="status" data-testid="resources-shown">
            {rows.length > MAX_SHOWN
              ? `Showing ${MAX_SHOWN.toLocaleString()} of ${rows.length.toLocaleString()}, most recently changed first: narrow the filter to see the rest`
              : `${rows.length.toLocaleString()} shown`}
          </span>
        )}
      </div>
      <div className="governance-body">
        <div className="governance-table-wrap">
          <table className="governance-table" aria-label="Resources">
            <thead>
              <tr>
                <th>Resource</th>
                <th>Kind</th>
                <th>Environment</th>
                <th>Connector</th>
                <th>Created</th>
                <th>Last change</th>
                <th className="n">Events</th>
                <th>State</th>
                <th>Sharing</th>
              </tr>
            </thead>
            <tbody>
              {rows.slice(0, MAX_SHOWN).map((row) => (
                <ResourceLine
                  key={row.key}
                  row={row}
                  isSelected={row.key === selected}
                  onOpen={() => setSelected(row.key)}
                />
              ))}
            </tbody>
          </table>
          {overview && overview.rows.length === 0 && (
            <p className="muted" role="status">
              No connection, custom API or gateway events in the cache yet.
            </p>
          )}
        </div>
        {selected !== null && (
          <ResourcePanel
            key={`${selected}:${overview?.progress.folded ?? 0}`}
            resourceKey={selected}
            governance={governance}
            onShowRecords={onShowRecords}
            onClose={() => setSelected(null)}
          />
        )}
      </div>
    </section>
  )
}

function ResourceLine({
  row,
  isSelected,
  onOpen
}: {
  row: ResourceRow
  isSelected: boolean
  onOpen(): void
}): React.JSX.Element {
  return (
    <tr
      data-testid="resource-row"
      data-resource-id={row.resourceId}
      aria-selected={isSelected}
      tabIndex={0}
      onClick={onOpen}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault()
          onOpen()
        }
      }}
    >
      <td className="resource-cell">
        <div className="resource-name">{resourceTitle(row)}</div>
        <div className="resource-id">{row.resourceId}</div>
      </td>
      <td>{KIND_LABELS[row.kind]}</td>
      <td title={row.environment}>{row.environmentName || row.environment}</td>
      <td>{row.connector}</td>
      <td title={row.createdBasis}>
        {row.created ? (
          <>
            {formatUtc(row.created.at)}
            <div className="muted">by {row.created.by || '(unknown)'}</div>
          </>
        ) : (
          <span className="muted">none in the cache: first seen {formatUtc(row.firstSeen.at)}</span>
        )}
      </td>
      <td>
        {formatUtc(row.lastChange.at)}
        <div className="muted">by {row.lastChange.by || '(unknown)'}</div>
      </td>
      <td className="n">{row.eventCount.toLocaleString()}</td>
      <td title={row.stateBasis}>
        <span className={`state state-${row.state}`}>{STATE_LABELS[row.state]}</span>
      </td>
      <td>
        {row.sharing.length === 0 ? (
          <span className="muted">nobody</span>
        ) : (
          <ul className="holders">
            {row.sharing.slice(0, 4).map((s) => (
              <li key={`${s.principal}:${s.permission}`} className={`audience-${s.audience}`}>
                {holderText(s)}
              </li>
            ))}
            {row.sharing.length > 4 && <li className="muted">and {row.sharing.length - 4} more</li>}
          </ul>
        )}
      </td>
    </tr>
  )
}

function ResourcePanel({
  resourceKey,
  governance,
  onShowRecords,
  onClose
}: {
  resourceKey: string
  governance: Governance
  onShowRecords: ShowRecords
  onClose(): void
}): React.JSX.Element {
  const [detail, setDetail] = useState<ResourceDetail | null>(null)
  const [error, setError] = useState<string | null>(null)
  const { detail: loadDetail } = governance
  useEffect(() => {
    let isActive = true
    loadDetail(resourceKey).then(
      (next) => isActive && setDetail(next),
      (failure: unknown) =>
        isActive && setError(failure instanceof Error ? failure.message : String(failure))
    )
    return () => {
      isActive = false
    }
  }, [loadDetail, resourceKey])

  const row = detail?.row
  return (
    <aside className="governance-panel" aria-label="Resource" data-testid="resource-detail">
      <div className="governance-panel-header">
        <h2>{row ? resourceTitle(row) : 'Resource'}</h2>
        <button type="button" aria-label="Close resource" onClick={onClose}>
          ✕
        </button>
      </div>
      {error && (
        <p className="notice" role="alert">
          {error}
        </p>
      )}
      {!detail && !error && <p className="muted">Loading…</p>}
      {detail && !row && <p className="muted">This resource is no longer in the cache.</p>}
      {row && detail && (
        <>
          <dl className="governance-facts">
            <dt>Id</dt>
            <dd className="resource-id">{row.resourceId}</dd>
            <dt>Kind</dt>
            <dd>{KIND_LABELS[row.kind]}</dd>
            <dt>Environment</dt>
            <dd>
              {row.environmentName !== ''
                ? `${row.environmentName} (${row.environment})`
                : row.environment}
            </dd>
            <dt>Connector</dt>
            <dd>{row.connector}</dd>
            <dt>State</dt>
            <dd data-testid="resource-state">
              <span className={`state state-${row.state}`}>{STATE_LABELS[row.state]}</span>
              <div className="basis">{row.stateBasis}</div>
            </dd>
            <dt>Created</dt>
            <dd data-testid="resource-created">
              {row.created
                ? `${formatUtc(row.created.at)} by ${row.created.by || '(unknown)'}`
                : 'unknown'}
              <div className="basis">{row.createdBasis}</div>
            </dd>
            <dt>Last change</dt>
            <dd>
              {formatUtc(row.lastChange.at)} by {row.lastChange.by || '(unknown)'}
            </dd>
            <dt>Events</dt>
            <dd>{row.eventCount.toLocaleString()}</dd>
          </dl>
          {row.notes.length > 0 && (
            <>
              <h3>Notes</h3>
              <ul className="notes">
                {row.notes.map((note) => (
                  <li key={note}>{note}</li>
                ))}
              </ul>
            </>
          )}
          <h3>Who can use it now</h3>
          {row.sharing.length === 0 ? (
            <p className="muted">
              {row.state === 'deleted' ? 'Nobody: it is deleted.' : 'Nobody in the cache.'}
            </p>
          ) : (
            <table className="governance-table compact" aria-label="Sharing">
              <thead>
                <tr>
                  <th>Principal</th>
                  <th>Permission</th>
                  <th>Since, granted by</th>
                </tr>
              </thead>
              <tbody>
                {row.sharing.map((s) => (
                  <tr key={`${s.principal}:${s.permission}`} data-testid="sharing-row">
                    <td title={s.principal}>
                      {s.principalName}
                      {s.audience !== 'person' && (
                        <div className={`audience-${s.audience}`} title={s.audienceReason}>
                          {s.audience === 'organisation' ? 'the whole organisation' : 'a guest'}
                        </div>
                      )}
                    </td>
                    <td>{s.permission}</td>
                    <td>
                      {formatUtc(s.since)}
                      <div className="muted">
                        {s.isCreator
                          ? `created it (${s.grant.recordId})`
                          : `granted by ${s.grant.by || '(unknown)'} ${formatUtc(s.grant.at)}`}
                      </div>
                      {!s.isCreator && (
                        <button
                          type="button"
                          className="link"
                          title="Show the record in the Explorer"
                          onClick={() =>
                            onShowRecords(
                              `the record that gave ${s.principalName} ${s.permission}`,
                              [s.grant.recordId]
                            )
                          }
                        >
                          {s.grant.recordId}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <div className="governance-panel-header">
            <h3>Timeline</h3>
            <button
              type="button"
              onClick={() =>
                onShowRecords(
                  `the ${detail.timeline.length} events of ${resourceTitle(row)}`,
                  detail.timeline.map((e) => e.recordId)
                )
              }
            >
              Show these {detail.timeline.length} events in the Explorer
            </button>
          </div>
          <table className="governance-table compact" aria-label="Timeline">
            <thead>
              <tr>
                <th>When</th>
                <th>What</th>
                <th>Actor</th>
                <th>IP address</th>
                <th>Permission</th>
                <th>Rule</th>
              </tr>
            </thead>
            <tbody>
              {detail.timeline.map((e) => (
                <tr key={e.recordId} data-testid="timeline-row" data-record-id={e.recordId}>
                  <td>{formatUtc(e.at)}</td>
                  <td>{e.summary}</td>
                  <td>{e.actor || '(unknown)'}</td>
                  <td>{e.ip}</td>
                  <td>
                    {e.permissionBefore === null
                      ? ''
                      : `${e.permissionBefore || 'none'} → ${e.permissionAfter || 'none'}`}
                  </td>
                  <td className="muted" title={`record ${e.recordId}`}>
                    {e.basis}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </aside>
  )
}
