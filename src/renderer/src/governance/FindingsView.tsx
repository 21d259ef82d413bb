import { useState } from 'react'

import type { FindingResult } from '../../../shared/governance'

import { GovernanceSettingsForm } from './GovernanceSettingsForm'
import { GovernanceStatus } from './GovernanceStatus'
import { formatUtc, recordsOfRule } from './governance-format'
import type { ShowRecords } from './ResourcesView'
import type { Governance } from './use-governance'
import './governance.css'

/** Findings listed per rule before "Show all". */
const FIRST_ITEMS = 20

interface Props {
  governance: Governance
  onShowRecords: ShowRecords
}

/**
 * Findings: each rule with its count, what it looks for, each finding's plain-language reason and
 * a click-through to exactly its records in the Explorer; the thresholds are settings.
 */
export function FindingsView({ governance, onShowRecords }: Props): React.JSX.Element {
  const { overview } = governance
  const [isEditing, setIsEditing] = useState(false)
  const total = overview?.findings.reduce((n, f) => n + f.count, 0) ?? 0
  return (
    <section className="governance" aria-labelledby="findings-title" data-testid="findings">
      <header className="governance-header">
        <h1 id="findings-title">Findings</h1>
        <GovernanceStatus governance={governance} />
        {overview && (
          <span className="muted" data-testid="findings-total">
            {total.toLocaleString()} findings from{' '}
            {overview.findings.filter((f) => f.count > 0).length} of {overview.findings.length}{' '}
            rules
          </span>
        )}
        <button type="button" aria-expanded={isEditing} onClick={() => setIsEditing((v) => !v)}>
          {isEditing ? 'Hide settings' : 'Settings (working hours, thresholds)…'}
        </button>
      </header>
      {governance.settingsProblem && (
        <p className="notice" role="alert">
          The saved finding settings are not valid ({governance.settingsProblem}); the defaults are
          used until you save new ones.
        </p>
      )}
      {isEditing && <GovernanceSettingsForm governance={governance} />}
      <div className="findings">
        {overview?.findings.map((rule) => (
          <RuleCard key={rule.ruleId} rule={rule} onShowRecords={onShowRecords} />
        ))}
      </div>
    </section>
  )
}

function RuleCard({
  rule,
  onShowRecords
}: {
  rule: FindingResult
  onShowRecords: ShowRecords
}): React.JSX.Element {
  const [isOpen, setIsOpen] = useState(false)
  const [isAll, setIsAll] = useState(false)
  const ids = rule.count > 0 ? recordsOfRule(rule) : []
  const items = isAll ? rule.items : rule.items.slice(0, FIRST_ITEMS)
  return (
    <article
      className={`finding-rule severity-${rule.severity}`}
      data-testid="finding-rule"
      data-rule-id={rule.ruleId}
      data-count={rule.count}
    >
      <header>
        <span className={`severity severity-${rule.severity}`}>{rule.severity}</span>
        <h2>{rule.title}</h2>
        <span className="finding-count" aria-label="Count">
          {rule.count.toLocaleString()}
        </span>
      </header>
      <p className="muted">{rule.description}</p>
      {rule.count > 0 && (
        <div className="actions">
          <button type="button" aria-expanded={isOpen} onClick={() => setIsOpen((v) => !v)}>
            {isOpen ? 'Hide findings' : `Why: ${rule.count.toLocaleString()} finding(s)`}
          </button>
          <button
            type="button"
            onClick={() => onShowRecords(`${rule.title}: ${ids.length} records`, ids)}
          >
            Show all {ids.length.toLocaleString()} records
          </button>
        </div>
      )}
      {isOpen && (
        <ol className="finding-items">
          {items.map((item, i) => (
            <li
              key={`${item.at}:${item.recordIds[0] ?? i}`}
              data-testid="finding-item"
              data-record-ids={item.recordIds.join(' ')}
            >
              <div>
                <span className="muted">{formatUtc(item.at)}</span> {item.reason}
              </div>
              <button
                type="button"
                onClick={() =>
                  onShowRecords(`${rule.title} (${formatUtc(item.at)})`, item.recordIds)
                }
              >
                Show{' '}
                {item.recordIds.length === 1 ? 'the record' : `${item.recordIds.length} records`}
              </button>
            </li>
          ))}
          {!isAll && rule.items.length > FIRST_ITEMS && (
            <li>
              <button type="button" onClick={() => setIsAll(true)}>
                Show all {rule.items.length.toLocaleString()} findings
              </button>
            </li>
          )}
        </ol>
      )}
    </article>
  )
}
