/**
 * The finding settings as the form holds them (text as typed) and back (pure; unit-tested).
 */
import type { GovernanceSettings, GovernanceSettingsInput } from '../../../shared/governance'

/** The form's text fields, as typed (numbers and lists parsed on save). */
export interface Draft {
  timeZone: string
  start: string
  end: string
  days: number[]
  shortLivedApiHours: string
  burstWindowMinutes: string
  burstMinEvents: string
  baselineDays: string
  organisationPrincipals: string
  tenantDomains: string
  disabledRules: string[]
}

/** The draft's fields typed as text (the rest are the day and rule checkboxes). */
export type DraftTextField = {
  [K in keyof Draft]: Draft[K] extends string ? K : never
}[keyof Draft]

/** One text input of the settings form: which fieldset it sits in, its label and accessible name. */
export interface DraftFieldSpec {
  key: DraftTextField
  label: string
  ariaLabel: string
}

/** The form's text inputs, fieldset by fieldset, in the order they show. */
export const DRAFT_FIELDS: Readonly<
  Record<'workingHours' | 'thresholds' | 'who', readonly DraftFieldSpec[]>
> = {
  workingHours: [
    { key: 'timeZone', label: 'Time zone', ariaLabel: 'Working hours time zone' },
    { key: 'start', label: 'From', ariaLabel: 'Working hours start' },
    { key: 'end', label: 'To', ariaLabel: 'Working hours end' }
  ],
  thresholds: [
    {
      key: 'shortLivedApiHours',
      label: 'Short-lived custom API: deleted within (hours)',
      ariaLabel: 'Short-lived custom API hours'
    },
    {
      key: 'burstMinEvents',
      label: 'Burst: at least (changes)',
      ariaLabel: 'Burst minimum changes'
    },
    {
      key: 'burstWindowMinutes',
      label: 'Burst: within (minutes)',
      ariaLabel: 'Burst window minutes'
    },
    { key: 'baselineDays', label: 'Baseline: first days of the cache', ariaLabel: 'Baseline days' }
  ],
  who: [
    {
      key: 'organisationPrincipals',
      label: 'Principals that mean the whole organisation (comma-separated)',
      ariaLabel: 'Organisation principals'
    },
    {
      key: 'tenantDomains',
      label: "The organisation's domains (others count as guests; comma-separated)",
      ariaLabel: 'Tenant domains'
    }
  ]
}

export function draftOf(s: GovernanceSettings): Draft {
  return {
    timeZone: s.workingHours.timeZone,
    start: s.workingHours.start,
    end: s.workingHours.end,
    days: [...s.workingHours.days],
    shortLivedApiHours: String(s.shortLivedApiHours),
    burstWindowMinutes: String(s.burst.windowMinutes),
    burstMinEvents: String(s.burst.minEvents),
    baselineDays: String(s.baselineDays),
    organisationPrincipals: s.organisationPrincipals.join(', '),
    tenantDomains: s.tenantDomains.join(', '),
    disabledRules: [...s.disabledRules]
  }
}

const list = (text: string): string[] =>
  text
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '')

/** A number as typed; text that is not a number goes through as text so the schema names it. */
function numberOf(text: string): number | string {
  const n = Number(text)
  return text.trim() === '' || Number.isNaN(n) ? text : n
}

/** The settings object a draft stands for (validated by the schema on save). */
export function settingsFromDraft(d: Draft): GovernanceSettingsInput {
  return {
    workingHours: { timeZone: d.timeZone.trim(), start: d.start, end: d.end, days: d.days },
    shortLivedApiHours: numberOf(d.shortLivedApiHours) as number,
    burst: {
      windowMinutes: numberOf(d.burstWindowMinutes) as number,
      minEvents: numberOf(d.burstMinEvents) as number
    },
    baselineDays: numberOf(d.baselineDays) as number,
    organisationPrincipals: list(d.organisationPrincipals),
    tenantDomains: list(d.tenantDomains),
    disabledRules: d.disabledRules
  }
}
