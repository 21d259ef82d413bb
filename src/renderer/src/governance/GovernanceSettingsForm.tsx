import { useState } from 'react'

import { DEFAULT_GOVERNANCE_SETTINGS, FINDING_RULES } from '../../../shared/governance'

import { DRAFT_FIELDS, draftOf, settingsFromDraft } from './settings-draft'
import type { Draft, DraftFieldSpec } from './settings-draft'
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
        <TextFields fields={DRAFT_FIELDS.workingHours} draft={draft} set={set} />
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
        <TextFields fields={DRAFT_FIELDS.thresholds} draft={draft} set={set} />
      </fieldset>
      <fieldset>
        <legend>Who is who</legend>
        <TextFields fields={DRAFT_FIELDS.who} draft={draft} set={set} />
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

/** One labelled text input per field of the table. */
function TextFields({
  fields,
  draft,
  set
}: {
  fields: readonly DraftFieldSpec[]
  draft: Draft
  set: (patch: Partial<Draft>) => void
}): React.JSX.Element {
  return (
    <>
      {fields.map((field) => (
        <label key={field.key} className="field">
          <span>{field.label}</span>
          <input
            aria-label={field.ariaLabel}
            value={draft[field.key]}
            onChange={(e) => set({ [field.key]: e.target.value })}
          />
        </label>
      ))}
    </>
  )
}
