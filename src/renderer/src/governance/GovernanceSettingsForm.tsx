import { useState } from 'react'

import { DEFAULT_GOVERNANCE_SETTINGS, FINDING_RULES } from '../../../shared/governance'

import { draftOf, settingsFromDraft, type Draft } from './settings-draft'
import type { Governance } from './use-governance'

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']

/** The findings' thresholds, editable; a bad value is refused naming the field. */
export function GovernanceSettingsForm({
  governance
}: {
  governance: Governance
}): React.JSX.Element {
  const [draft, setDraft] = useState<Draft>(() => draftOf(governance.settings))
  const [message, setMessage] = useState<{ isError: boolean; text: string } | null>(null)
  const set = (patch: Partial<Draft>): void => setDraft((d) => ({ ...d, ...patch }))

  async function save(next: Draft): Promise<void> {
    const error = await governance.saveSettings(settingsFromDraft(next))
    setMessage(
      error === null
        ? { isError: false, text: 'Saved: the findings are computed again.' }
        : { isError: true, text: `Not saved: ${error}` }
    )
  }

  return (
    <form
      className="governance-settings"
      aria-label="Finding settings"
      onSubmit={(e) => {
        e.preventDefault()
        void save(draft)
      }}
    >
      <fieldset>
        <legend>Working hours</legend>
        <label className="field">
          <span>Time zone</span>
          <input
            aria-label="Working hours time zone"
            value={draft.timeZone}
            onChange={(e) => set({ timeZone: e.target.value })}
          />
        </label>
        <label className="field">
          <span>From</span>
          <input
            aria-label="Working hours start"
            value={draft.start}
            onChange={(e) => set({ start: e.target.value })}
          />
        </label>
        <label className="field">
          <span>To</span>
          <input
            aria-label="Working hours end"
            value={draft.end}
            onChange={(e) => set({ end: e.target.value })}
          />
        </label>
        <div className="days" role="group" aria-label="Working days">
          {DAYS.map((name, day) => (
            <label key={name}>
              <input
                type="checkbox"
                checked={draft.days.includes(day)}
                onChange={(e) =>
                  set({
                    days: e.target.checked
                      ? [...draft.days, day].sort()
                      : draft.days.filter((d) => d !== day)
                  })
                }
              />
              {name}
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset>
        <legend>Thresholds</legend>
        <label className="field">
          <span>Short-lived custom API: deleted within (hours)</span>
          <input
            aria-label="Short-lived custom API hours"
            value={draft.shortLivedApiHours}
            onChange={(e) => set({ shortLivedApiHours: e.target.value })}
          />
        </label>
        <label className="field">
          <span>Burst: at least (changes)</span>
          <input
            aria-label="Burst minimum changes"
            value={draft.burstMinEvents}
            onChange={(e) => set({ burstMinEvents: e.target.value })}
          />
        </label>
        <label className="field">
          <span>Burst: within (minutes)</span>
          <input
            aria-label="Burst window minutes"
            value={draft.burstWindowMinutes}
            onChange={(e) => set({ burstWindowMinutes: e.target.value })}
          />
        </label>
        <label className="field">
          <span>Baseline: first days of the cache</span>
          <input
            aria-label="Baseline days"
            value={draft.baselineDays}
            onChange={(e) => set({ baselineDays: e.target.value })}
          />
        </label>
      </fieldset>
      <fieldset>
        <legend>Who is who</legend>
        <label className="field">
          <span>Principals that mean the whole organisation (comma-separated)</span>
          <input
            aria-label="Organisation principals"
            value={draft.organisationPrincipals}
            onChange={(e) => set({ organisationPrincipals: e.target.value })}
          />
        </label>
        <label className="field">
          <span>The organisation&apos;s domains (others count as guests; comma-separated)</span>
          <input
            aria-label="Tenant domains"
            value={draft.tenantDomains}
            onChange={(e) => set({ tenantDomains: e.target.value })}
          />
        </label>
      </fieldset>
      <fieldset>
        <legend>Rules</legend>
        {FINDING_RULES.map((rule) => (
          <label key={rule.id} className="rule-toggle">
            <input
              type="checkbox"
              checked={!draft.disabledRules.includes(rule.id)}
              onChange={(e) =>
                set({
                  disabledRules: e.target.checked
                    ? draft.disabledRules.filter((id) => id !== rule.id)
                    : [...draft.disabledRules, rule.id]
                })
              }
            />
            {rule.title}
          </label>
        ))}
      </fieldset>
      <div className="actions">
        <button type="submit" className="primary">
          Save settings
        </button>
        <button
          type="button"
          onClick={() => {
            const defaults = draftOf(DEFAULT_GOVERNANCE_SETTINGS)
            setDraft(defaults)
            void save(defaults)
          }}
        >
          Restore defaults
        </button>
        {message && (
          <span
            role={message.isError ? 'alert' : 'status'}
            className={message.isError ? 'field-error' : 'muted'}
            data-testid="settings-message"
          >
            {message.text}
          </span>
        )}
      </div>
    </form>
  )
}
