import { describe, expect, it } from 'vitest'

import {
  DEFAULT_GOVERNANCE_SETTINGS,
  GovernanceSettingsError,
  parseGovernanceSettings
} from '../../../shared/governance'

import { DRAFT_FIELDS, draftOf, settingsFromDraft } from './settings-draft'

describe('the finding settings form', () => {
  it('has one input per text field of the draft, each with its own accessible name', () => {
    const fields = Object.values(DRAFT_FIELDS).flat()
    const draft = draftOf(DEFAULT_GOVERNANCE_SETTINGS)
    const textKeys = Object.keys(draft).filter(
      (k) => typeof draft[k as keyof typeof draft] === 'string'
    )
    expect(fields.map((f) => f.key).sort()).toEqual(textKeys.sort())
    expect(new Set(fields.map((f) => f.ariaLabel)).size).toBe(fields.length)
  })

  it('round-trips the settings through the draft', () => {
    expect(
      parseGovernanceSettings(settingsFromDraft(draftOf(DEFAULT_GOVERNANCE_SETTINGS)))
    ).toEqual(DEFAULT_GOVERNANCE_SETTINGS)
  })

  it('reads numbers and comma-separated lists as typed', () => {
    const draft = {
      ...draftOf(DEFAULT_GOVERNANCE_SETTINGS),
      start: '07:30',
      timeZone: ' Europe/Paris ',
      shortLivedApiHours: '2',
      burstMinEvents: '3',
      tenantDomains: 'contoso.example, , fabrikam.example'
    }
    const settings = parseGovernanceSettings(settingsFromDraft(draft))
    expect(settings.workingHours).toMatchObject({ start: '07:30', timeZone: 'Europe/Paris' })
    expect(settings.shortLivedApiHours).toBe(2)
    expect(settings.burst.minEvents).toBe(3)
    expect(settings.tenantDomains).toEqual(['contoso.example', 'fabrikam.example'])
  })

  it('lets the schema name a wrong field instead of guessing', () => {
    const draft = { ...draftOf(DEFAULT_GOVERNANCE_SETTINGS), burstMinEvents: 'five', end: '7pm' }
    expect(() => parseGovernanceSettings(settingsFromDraft(draft))).toThrow(GovernanceSettingsError)
    expect(() => parseGovernanceSettings(settingsFromDraft(draft))).toThrow(
      /burst\.minEvents.*workingHours\.end: must be HH:MM/
    )
  })
})
