import { describe, expect, it } from 'vitest'

import { idColumnOf, mapRow } from './workspace-rows'

const COLUMNS = [
  { name: 'TimeGenerated', type: 'datetime' },
  { name: 'EventOriginalUid', type: 'string' },
  { name: 'EventOriginalType', type: 'string' },
  { name: 'ActorName', type: 'string' },
  { name: 'RecordType', type: 'string' },
  { name: 'Workload', type: 'string' },
  { name: 'PropertyCollection', type: 'dynamic' }
]

describe('workspace rows → normalized records', () => {
  it('maps the Sentinel columns to the UAL names and keeps every column in raw', () => {
    const result = mapRow(
      [
        '2026-05-20T10:11:12Z',
        '0b8a2c1e-1111-4222-8333-944445555666',
        'CreateConnection',
        'AmberR@contoso.onmicrosoft.com',
        'PowerPlatformAdministratorActivity',
        'PowerPlatform',
        JSON.stringify([
          { Name: 'powerplatform.analytics.resource.environment.id', Value: 'env-1' }
        ])
      ],
      COLUMNS,
      'PowerPlatformAdminActivity'
    )
    expect(result.ok).toBe(true)
    if (!result.ok) {
      return
    }
    expect(result.record.id).toBe('0b8a2c1e-1111-4222-8333-944445555666')
    expect(result.record.recordType).toBe(256)
    expect(result.record.operation).toBe('CreateConnection')
    expect(result.record.userId).toBe('AmberR@contoso.onmicrosoft.com')
    const raw = JSON.parse(result.record.raw) as Record<string, unknown>
    expect(raw.EventOriginalUid).toBe('0b8a2c1e-1111-4222-8333-944445555666')
    expect(raw.SourceTable).toBe('PowerPlatformAdminActivity')
    expect(raw.PropertyCollection).toEqual([
      { Name: 'powerplatform.analytics.resource.environment.id', Value: 'env-1' }
    ])
  })

  it('rejects a row without an Id, or with the wrong number of values, with a reason', () => {
    const noId = mapRow(
      ['2026-05-20T10:11:12Z', null, 'X', null, null, null, null],
      COLUMNS,
      'PowerAppsActivity'
    )
    expect(noId.ok).toBe(false)
    const short = mapRow(['2026-05-20T10:11:12Z'], COLUMNS, 'PowerAppsActivity')
    expect(short).toEqual({ ok: false, reason: 'the row has 1 values for 7 columns' })
  })

  it('maps an OfficeActivity row: OfficeId is the Id, Office* columns their UAL names', () => {
    const columns = [
      'TimeGenerated',
      'OfficeId',
      'Operation',
      'RecordType',
      'UserId',
      'UserType',
      'OfficeWorkload',
      'OfficeObjectId',
      'ClientIP'
    ].map((name) => ({ name, type: name === 'TimeGenerated' ? 'datetime' : 'string' }))
    const result = mapRow(
      [
        '2026-05-20T10:11:12.5Z',
        '7C1E0A2B-1111-4222-8333-944445555666',
        'CreateFlow',
        'MicrosoftFlow',
        'AmberR@contoso.onmicrosoft.com',
        'Regular',
        'MicrosoftFlow',
        'flow-42',
        '203.0.113.9'
      ],
      columns,
      'OfficeActivity'
    )
    expect(result.ok).toBe(true)
    if (!result.ok) {
      return
    }
    // GUIDs are lower-cased, so the same record read from another table dedupes on its Id.
    expect(result.record.id).toBe('7c1e0a2b-1111-4222-8333-944445555666')
    expect(result.record.recordType).toBe(30)
    expect(result.record.operation).toBe('CreateFlow')
    expect(result.record.workload).toBe('MicrosoftFlow')
    expect(result.record.objectId).toBe('flow-42')
    expect(result.record.clientIp).toBe('203.0.113.9')
    expect(result.record.createdAt).toBe('2026-05-20T10:11:12.000Z')
    expect(JSON.parse(result.record.raw)).toMatchObject({ SourceTable: 'OfficeActivity' })
  })

  it('finds the Id column of the Power Platform tables and OfficeActivity', () => {
    expect(idColumnOf(['TimeGenerated', 'EventOriginalUid'])).toBe('EventOriginalUid')
    expect(idColumnOf(['TimeGenerated', 'OfficeId'])).toBe('OfficeId')
    expect(idColumnOf(['TimeGenerated', 'Id'])).toBeUndefined()
  })
})
