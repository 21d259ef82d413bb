import { describe, expect, it } from 'vitest'

import {
  DEFAULT_GOVERNANCE_SETTINGS,
  GovernanceSettingsError,
  parseGovernanceSettings
} from '../../../shared/governance'

import { draftOf, settingsFromDraft } from './settings-draft'

describe('the finding settings form', () => {
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
