import { describe, expect, it } from 'vitest'

import {
  ACTIVITY_CATALOG,
  CONNECTOR_ACTIVITIES,
  CONNECTOR_CATEGORIES,
  lookupActivity
} from './activity-catalog'
import { formatUtcDisplay, parseAuditTime } from './audit-time'
import { describeField, FIELD_DESCRIPTIONS, UNKNOWN_FIELD_DESCRIPTION } from './field-descriptions'
import pcExamples from './fixtures/ms-learn-powerplatform-propertycollection-examples.json'
import launchSample from './fixtures/powerplatform-record256-launchpowerapp.json'
import { RECORD_TYPES, recordTypeName, recordTypeNumber, resolveRecordType } from './record-types'
import { USER_TYPES, userTypeLabel, userTypeValue } from './user-types'

describe('activity catalog', () => {
  it('lists the fifteen connector activities of connector-activities.md with their categories', () => {
    const labelled = CONNECTOR_ACTIVITIES.filter((entry) => entry.isPurviewLabel)
    expect(labelled).toHaveLength(15)
    const count = (category: string): number =>
      labelled.filter((entry) => entry.category === category).length
    expect([count('API'), count('Connection'), count('Gateway'), count('Data policy')]).toEqual([
      6, 5, 3, 1
    ])
    expect(labelled.every((entry) => CONNECTOR_CATEGORIES.includes(entry.category))).toBe(true)
  })

  it('maps only the confirmed and probable Operation strings of §6', () => {
    const mapped = CONNECTOR_ACTIVITIES.flatMap((entry) =>
      entry.operations.map((op) => [op.operation, op.confidence, entry.activity])
    )
    expect(mapped).toEqual([
      ['PatchApi', 'probable', 'API edited'],
      ['PutConnection', 'confirmed', 'Connection created or edited'],
      ['PutConnectionPermission', 'probable', 'Connection permission added or edited'],
      ['PutAppConnectionUsage', 'probable', 'App connection usage changed']
    ])
  })

  it('claims each Operation string once', () => {
    const operations = ACTIVITY_CATALOG.flatMap((entry) =>
      entry.operations.map((op) => op.operation)
    )
    expect(new Set(operations).size).toBe(operations.length)
    expect(operations).toContain('LaunchPowerApp')
    expect(operations).toContain('GovernanceApiPolicyOperation')
    expect(operations).toContain('BotUpdateOperation-BotPublish')
  })

  it('looks up case-insensitively and returns unknown operations verbatim', () => {
    expect(lookupActivity('putconnection').activity).toBe('Connection created or edited')
    expect(lookupActivity('FileRecycled')).toEqual({
      activity: 'FileRecycled',
      category: 'Other',
      confidence: 'unknown',
      entry: null
    })
  })
})

describe('record types', () => {
  it('holds the §11 table plus the four empirical numbers', () => {
    expect(RECORD_TYPES).toHaveLength(261)
    expect(recordTypeName(256)).toBe('PowerPlatformAdministratorActivity')
    expect(recordTypeName(80)).toBe('PowerPlatformAdminEnvironment')
    expect(recordTypeName(4242)).toBe('4242')
  })

  it('finds numbers by name regardless of case and spaces', () => {
    expect(recordTypeNumber('microsoftFlow')).toBe(30)
    expect(recordTypeNumber('VivaEngage')).toBe(22)
    expect(recordTypeNumber('Yammer')).toBe(22)
    expect(recordTypeNumber('NoSuchType')).toBeNull()
  })

  it('never routes 79/187 on the number alone', () => {
    const none = {
      operation: '',
      hasPolicyInfo: false,
      hasConnectorInfo: false,
      isCatalogConnectorOperation: false
    }
    expect(resolveRecordType(79, { ...none, hasPolicyInfo: true }).name).toBe(
      'PowerPlatformAdminDlp'
    )
    expect(resolveRecordType(79, { ...none, operation: 'PutGateway' }).name).toBe(
      'PowerAppsResource'
    )
    expect(resolveRecordType('187', none)).toEqual({
      value: 187,
      name: 'PowerAppsResource or PowerPlatformAdminDlp (unresolved)'
    })
    expect(resolveRecordType('PowerAppsResource', none).name).toBe('PowerAppsResource')
  })
})

describe('user types', () => {
  it('labels 0–10 and shows unknown numbers as numbers', () => {
    expect(USER_TYPES).toHaveLength(11)
    expect(userTypeLabel(0)).toBe('Regular user')
    expect(userTypeLabel(9)).toBe('Partner technician')
    expect(userTypeLabel(11)).toBe('11')
  })

  it('reads numbers, numeric text and member names', () => {
    expect(userTypeValue(2)).toBe(2)
    expect(userTypeValue('4')).toBe(4)
    expect(userTypeValue('dcAdmin')).toBe(3)
    expect(userTypeValue('Service Principal')).toBe(6)
    expect(userTypeValue('nobody')).toBeNull()
    expect(userTypeValue(null)).toBeNull()
  })
})

describe('parseAuditTime (§12.2)', () => {
  const valid: [string, string][] = [
    ['2015-06-29T20:03:19', '2015-06-29T20:03:19.000Z'],
    ['2015-06-29 20:03:19', '2015-06-29T20:03:19.000Z'],
    ['2023-08-28T17:16:04.712Z', '2023-08-28T17:16:04.712Z'],
    ['2023-08-28T17:16:04.7120000', '2023-08-28T17:16:04.712Z'],
    ['2023-08-28T19:16:04+02:00', '2023-08-28T17:16:04.000Z'],
    ['2023-08-28T12:16:04-0500', '2023-08-28T17:16:04.000Z'],
    ['9/20/2023 4:05:03 AM', '2023-09-20T04:05:03.000Z'],
    ['3/12/2025 7:31:34 PM', '2025-03-12T19:31:34.000Z'],
    ['12/1/2024 12:00:00 AM', '2024-12-01T00:00:00.000Z'],
    ['12/1/2024 12:00:00 PM', '2024-12-01T12:00:00.000Z'],
    ['6/1/2024 11:59:15 PM +00:00', '2024-06-01T23:59:15.000Z'],
    ['6/1/2024 23:59:15', '2024-06-01T23:59:15.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z']
  ]
  it.each(valid)('%s → %s', (input, expected) => {
    const ms = parseAuditTime(input)
    expect(ms === null ? null : new Date(ms).toISOString()).toBe(expected)
  })

  const invalid = [
    '',
    'yesterday',
    '2023-02-29T00:00:00',
    '2023-13-01T00:00:00',
    '2023-04-31T00:00:00',
    '2023-01-01T24:00:00',
    '13/20/2023 4:05:03 AM',
    '9/20/2023 13:05:03 PM',
    '2023-01-01T00:00:00+25:00'
  ]
  it.each(invalid)('rejects %j', (input) => {
    expect(parseAuditTime(input)).toBeNull()
  })

  it('formats for display with the zone written out', () => {
    expect(formatUtcDisplay(Date.UTC(2026, 4, 19, 13, 17, 34))).toBe('2026-05-19 13:17:34 UTC')
  })
})

describe('field descriptions', () => {
  it('describes every field of the common schema', () => {
    for (const key of [
      'Id',
      'RecordType',
      'CreationTime',
      'Operation',
      'OrganizationId',
      'UserType',
      'UserKey',
      'UserId',
      'Workload',
      'ClientIP',
      'ObjectId',
      'ResultStatus',
      'AdditionalInfo',
      'AdditionalInfo.EnvironmentName',
      'AdditionalInfo.ActionName',
      'AdditionalInfo.ResourceId'
    ]) {
      expect(describeField(key).isKnown, key).toBe(true)
    }
  })

  it('describes every key of the real and documented PropertyCollections and top-level fields', () => {
    const keys = [
      ...Object.keys(launchSample),
      ...launchSample.PropertyCollection.map((entry) => entry.Name),
      ...pcExamples.flatMap((example) => example.PropertyCollection.map((entry) => entry.Name))
    ]
    const missing = keys.filter((key) => !(key in FIELD_DESCRIPTIONS))
    expect(missing).toEqual([])
  })

  it('strips repeat suffixes and array indexes, folds case, and falls back to a parent', () => {
    expect(describeField('targetuser.id#2').label).toBe('Granted to')
    expect(describeField('AdditionalInfo.changeSet.connectorChanges[2].name').label).toBe(
      'Connector'
    )
    expect(describeField('additionalinfo.environmentname').label).toBe('Environment ID')
    const nested = describeField('AppAccessContext.ClientAppId')
    expect(nested.isKnown).toBe(true)
    expect(nested.label).toBe('App access context: ClientAppId')
  })

  it('falls back for fields nobody has described', () => {
    expect(describeField('SomeNewField.Deep')).toEqual({
      label: 'Deep',
      description: UNKNOWN_FIELD_DESCRIPTION,
      isKnown: false
    })
  })
})
