import { describe, expect, it } from 'vitest'

import { buildActivityIndex, ACTIVITY_CATALOG } from './activity-catalog'
import dlpExamples from './fixtures/ms-learn-powerplatform-dlp-legacy-additionalinfo-examples.json'
import pcExamples from './fixtures/ms-learn-powerplatform-propertycollection-examples.json'
import launchSample from './fixtures/powerplatform-record256-launchpowerapp.json'
import { flattenRecord, normalizeRecord } from './normalize-record'
import type { NormalizedRecord } from './normalized-record'

function accept(input: Parameters<typeof normalizeRecord>[0]): NormalizedRecord {
  const result = normalizeRecord(input)
  if (!result.ok) {
    throw new Error(`expected the record to be accepted, got: ${result.reason}`)
  }
  return result.record
}

/** A full record around one of Microsoft Learn's PropertyCollection examples (only the array is published). */
function learnRecord(index: number, extra: Record<string, unknown> = {}): string {
  const example = pcExamples[index]
  if (!example) {
    throw new Error(`no example ${index}`)
  }
  return JSON.stringify({
    Id: `0000000${index}-0000-0000-0000-000000000000`,
    RecordType: 256,
    CreationTime: '2025-12-16T08:00:00',
    Workload: 'PowerPlatform',
    UserType: 2,
    PropertyCollection: example.PropertyCollection,
    ...extra
  })
}

describe('normalizeRecord: the real RecordType 256 sample', () => {
  const rawText = JSON.stringify(launchSample, null, 2)
  const record = accept(rawText)

  it('keeps the common fields and the time in UTC with an explicit zone', () => {
    expect(record.id).toBe('e2a84675-8952-4d91-a2ea-4d89f310f1a7')
    expect(record.createdAt).toBe('2026-05-19T13:17:34.000Z')
    expect(record.createdAtMs).toBe(Date.UTC(2026, 4, 19, 13, 17, 34))
    expect(record.recordType).toBe(256)
    expect(record.recordTypeName).toBe('PowerPlatformAdministratorActivity')
    expect(record.operation).toBe('LaunchPowerApp')
    expect(record.workload).toBe('PowerPlatform')
    expect(record.userId).toBe('AmberR@CONTOSO.OnMicrosoft.com')
    expect(record.userType).toBe(2)
    expect(record.userTypeLabel).toBe('Admin')
    expect(record.clientIp).toBe('167.220.196.178')
    expect(record.organizationId).toBe('33333333-3333-3333-3333-333333333333')
    expect(record.succeeded).toBe(true)
  })

  it('maps the activity through the catalog', () => {
    expect(record.activity).toBe('Launched app')
    expect(record.category).toBe('Power Apps')
    expect(record.catalogConfidence).toBe('confirmed')
    expect(record.isConnectorEvent).toBe(false)
  })

  it('flattens PropertyCollection into fields and derives the connector-lens columns', () => {
    expect(record.fields['powerplatform.analytics.resource.environment.name']).toBe(
      'dev-na-ba50088f'
    )
    expect(record.fields['enduser.role']).toBe('Admin')
    expect(record.fields['RequiresCustomerKeyEncryption']).toBe('false')
    expect(record.fields['PropertyCollection']).toBeUndefined()
    expect(record.environment).toBe('aa289efd-09f4-eaeb-bbb8-c08fc9e27d09')
    expect(record.environmentName).toBe('dev-na-ba50088f')
    expect(record.resource).toBe('6c39e97c-6ddd-4a37-afd4-494a605925cf')
    expect(record.resourceName).toBe('TestEmptyApp')
    expect(record.actorRole).toBe('Admin')
    expect(record.userAgent).toMatch(/^Mozilla\/5\.0/)
    expect(record.warnings).toEqual([])
  })

  it('keeps the raw text byte for byte', () => {
    expect(record.raw).toBe(rawText)
  })
})

describe('normalizeRecord: raw text is never re-serialized', () => {
  it('keeps spacing, key order and number spelling', () => {
    const text = '{ "Version" : 1.0,"Id":"A1","CreationTime":"2024-01-01T00:00:00" , "X":1e3 }'
    const record = accept(text)
    expect(record.raw).toBe(text)
    expect(record.fields['X']).toBe('1000')
  })

  it('uses a value already parsed and keeps the raw text given with it', () => {
    const rawText = '{"Id":"B2","CreationTime":"2024-01-01T00:00:00"}'
    const record = accept({ rawText, parsed: { Id: 'B2', CreationTime: '2024-01-01T00:00:00' } })
    expect(record.raw).toBe(rawText)
    expect(record.id).toBe('B2')
  })
})

describe('normalizeRecord: field names that mean something to a JavaScript object', () => {
  it('keeps __proto__, constructor and the like as plain fields, in order, touching no prototype', () => {
    const raw =
      '{"Id":"p-1","CreationTime":"2026-05-01T10:00:00","Operation":"PutApi",' +
      '"__proto__":"x","constructor":"y","toString":"z","hasOwnProperty":"w",' +
      '"Nested":{"__proto__":{"polluted":"yes"}}}'
    const result = normalizeRecord(raw)
    expect(result.ok).toBe(true)
    const fields = result.ok ? result.record.fields : {}
    expect(Object.getPrototypeOf(fields)).toBeNull()
    expect(Object.keys(fields)).toEqual([
      'Id',
      'CreationTime',
      'Operation',
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      'Nested.__proto__.polluted'
    ])
    expect(fields['__proto__']).toBe('x')
    expect(fields['constructor']).toBe('y')
    expect(fields['Nested.__proto__.polluted']).toBe('yes')
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
  })
})

describe('normalizeRecord: Microsoft Learn PropertyCollection examples', () => {
  it('fills Operation from activity.name and ClientIP from enduser.ip_address (IPv4-mapped shown plain)', () => {
    const record = accept(learnRecord(0))
    expect(record.operation).toBe('AdminDeleteApp')
    expect(record.warnings).toContain(
      'Operation missing; taken from powerplatform.analytics.activity.name'
    )
    expect(record.activity).toBe('Admin deleted app')
    expect(record.clientIp).toBe('172.172.34.12')
    expect(record.fields['enduser.ip_address']).toBe('::ffff:172.172.34.12')
    expect(record.environment).toBe('default-99ca106f-36df-429e-9998-b6131ea7cc86')
  })

  it('names the data-policy sub-operation', () => {
    const record = accept(learnRecord(2, { Operation: 'GovernanceApiPolicyOperation' }))
    expect(record.dlpSubOperation).toBe('DeleteDlpPolicy')
    expect(record.activity).toBe('Deleted DLP policy')
    expect(record.category).toBe('Data policy')
    expect(record.resourceName).toBe('ConnectorBlockingPolicy')
  })

  it('keeps lockbox values as text', () => {
    const record = accept(learnRecord(1))
    expect(
      record.fields['powerplatform.analytics.resource.tenant.lockbox.request.expiration_time']
    ).toBe('6/1/2024 11:59:15 PM +00:00')
    expect(record.fields['enduser.id']).toBe('')
    expect(record.activity).toBe('Customer Lockbox request')
  })

  it('keeps a repeated PropertyCollection name as key#2 and says so', () => {
    const record = accept(
      JSON.stringify({
        Id: 'r1',
        CreationTime: '2025-01-01T00:00:00',
        PropertyCollection: [
          { Name: 'targetuser.id', Value: 'one' },
          { Name: 'targetuser.id', Value: 'two' },
          { Value: 'nameless' }
        ]
      })
    )
    expect(record.fields['targetuser.id']).toBe('one')
    expect(record.fields['targetuser.id#2']).toBe('two')
    expect(record.fields['PropertyCollection[2].Value']).toBe('nameless')
    expect(record.warnings).toEqual([
      'repeated key: targetuser.id',
      'PropertyCollection[2] has no Name'
    ])
  })
})

describe('normalizeRecord: legacy records', () => {
  // Synthesised from the field list of audit-events.md §8.1: no public raw connector record exists.
  const connectorRecord = {
    Id: 'C0FFEE00-0000-4000-8000-000000000001',
    RecordType: 187,
    CreationTime: '2024-03-01T10:11:12',
    Operation: 'PutConnection',
    OrganizationId: 'org-1',
    UserType: 0,
    ClientIP: '10.0.0.1',
    ObjectId: 'user-object-id',
    UserId: 'maker@contoso.example',
    AdditionalInfo: JSON.stringify({
      EnvironmentName: 'Default-AAAA1111-0000-0000-0000-000000000000',
      ActionName: 'PutConnection',
      ResourceId: '/providers/Microsoft.PowerApps/apis/shared_sql/connections/abc123'
    })
  }

  it('flattens AdditionalInfo JSON text into environment, action, resource and connector', () => {
    const record = accept(JSON.stringify(connectorRecord))
    expect(record.id).toBe('c0ffee00-0000-4000-8000-000000000001')
    expect(record.recordTypeName).toBe('PowerAppsResource')
    expect(record.activity).toBe('Connection created or edited')
    expect(record.category).toBe('Connection')
    expect(record.catalogConfidence).toBe('confirmed')
    expect(record.isConnectorEvent).toBe(true)
    expect(record.environment).toBe('default-aaaa1111-0000-0000-0000-000000000000')
    expect(record.action).toBe('PutConnection')
    expect(record.resource).toBe(
      '/providers/Microsoft.PowerApps/apis/shared_sql/connections/abc123'
    )
    expect(record.connector).toBe('shared_sql')
    expect(record.fields['AdditionalInfo']).toBe(connectorRecord.AdditionalInfo)
    expect(record.fields['AdditionalInfo.ActionName']).toBe('PutConnection')
  })

  it('reads AdditionalInfo keys case-insensitively and ResourceId at the top level', () => {
    const record = accept(
      JSON.stringify({
        Id: 'l2',
        RecordType: 79,
        CreationTime: '2024-03-01T10:11:12',
        Operation: 'SomethingNew',
        ResourceId: '/providers/Microsoft.PowerApps/apis/shared_office365',
        AdditionalInfo: { environmentName: 'env-lower', actionName: 'ListItems' }
      })
    )
    expect(record.environment).toBe('env-lower')
    expect(record.action).toBe('ListItems')
    expect(record.connector).toBe('shared_office365')
    expect(record.recordTypeName).toBe('PowerAppsResource')
  })

  it('resolves 79/187 to PowerPlatformAdminDlp from the legacy data-policy AdditionalInfo', () => {
    const example = dlpExamples[1]
    const record = accept(
      JSON.stringify({
        Id: 'dlp-1',
        RecordType: 79,
        CreationTime: '2020-09-04T12:00:00',
        Operation: 'UpdateDlpPolicy',
        AdditionalInfo: JSON.stringify(example?.AdditionalInfo)
      })
    )
    expect(record.recordType).toBe(79)
    expect(record.recordTypeName).toBe('PowerPlatformAdminDlp')
    expect(record.fields['AdditionalInfo.policyType']).toBe('ExceptEnvironments')
    expect(
      record.fields['AdditionalInfo.changeSet.connectorChanges[1].currentValue.classification']
    ).toBe('Blocked')
  })

  it('leaves 79/187 unresolved when the content does not tell', () => {
    const record = accept('{"Id":"u1","RecordType":187,"CreationTime":"2024-01-01T00:00:00"}')
    expect(record.recordTypeName).toBe('PowerAppsResource or PowerPlatformAdminDlp (unresolved)')
  })

  it('keeps AdditionalInfo that looks like JSON but is not, and marks it unparsed', () => {
    const record = accept(
      JSON.stringify({ Id: 'u2', CreationTime: '2024-01-01T00:00:00', AdditionalInfo: '{"a":' })
    )
    expect(record.fields['AdditionalInfo']).toBe('{"a":')
    expect(record.warnings).toEqual([
      'unparsed: AdditionalInfo looks like JSON but is not valid JSON; kept as text'
    ])
  })
})

describe('normalizeRecord: open schema', () => {
  it('shows a record type from the future as its number and an unknown operation verbatim', () => {
    const record = accept(
      '{"Id":"f1","RecordType":999,"CreationTime":"2031-01-01T00:00:00","Operation":"FrobnicateWidget","UserType":42}'
    )
    expect(record.recordType).toBe(999)
    expect(record.recordTypeName).toBe('999')
    expect(record.activity).toBe('FrobnicateWidget')
    expect(record.category).toBe('Other')
    expect(record.catalogConfidence).toBe('unknown')
    expect(record.userType).toBe(42)
    expect(record.userTypeLabel).toBe('42')
  })

  it('groups an uncatalogued connector operation by its name, still with confidence unknown', () => {
    const record = accept(
      JSON.stringify({
        Id: 'g1',
        RecordType: 256,
        CreationTime: '2025-01-01T00:00:00',
        Operation: 'DeleteGatewayPermission',
        PropertyCollection: [
          { Name: 'powerplatform.analytics.resource.connection.id', Value: 'gw-1' }
        ]
      })
    )
    expect(record.isConnectorEvent).toBe(true)
    expect(record.category).toBe('Gateway')
    expect(record.catalogConfidence).toBe('unknown')
    expect(record.resource).toBe('gw-1')
  })

  it('accepts RecordType and UserType given as names (Graph, Search-UnifiedAuditLog)', () => {
    const record = accept(
      '{"Id":"n1","RecordType":"powerPlatformAdministratorActivity","UserType":"servicePrincipal","CreationTime":"2025-01-01T00:00:00"}'
    )
    expect(record.recordType).toBe(256)
    expect(record.recordTypeName).toBe('PowerPlatformAdministratorActivity')
    expect(record.userType).toBe(6)
    expect(record.userTypeLabel).toBe('Service principal')
  })

  it('takes CreationTime with Z, fractions and offsets to UTC', () => {
    const times: [string, string][] = [
      ['2024-05-01T10:00:00Z', '2024-05-01T10:00:00.000Z'],
      ['2024-05-01T10:00:00.1234567', '2024-05-01T10:00:00.123Z'],
      ['2024-05-01T10:00:00+02:00', '2024-05-01T08:00:00.000Z']
    ]
    for (const [input, expected] of times) {
      const record = accept(JSON.stringify({ Id: 't', CreationTime: input }))
      expect(record.createdAt).toBe(expected)
    }
  })

  it('uses a user-defined catalog mapping when given one', () => {
    const index = buildActivityIndex([
      ...ACTIVITY_CATALOG,
      {
        activity: 'Connection deleted',
        category: 'Connection',
        description: 'A connection was deleted.',
        isPurviewLabel: true,
        isConnectorActivity: true,
        operations: [{ operation: 'DeleteConnection', confidence: 'probable', evidence: 'tenant' }]
      }
    ])
    const result = normalizeRecord(
      '{"Id":"d1","CreationTime":"2025-01-01T00:00:00","Operation":"DeleteConnection"}',
      { activityIndex: index }
    )
    expect(result.ok && result.record.activity).toBe('Connection deleted')
    expect(result.ok && result.record.catalogConfidence).toBe('probable')
  })
})

describe('normalizeRecord: rejections', () => {
  const cases: [string, string, string][] = [
    ['{"Id": "x", ', 'malformed-json', 'malformed JSON'],
    ['[1, 2]', 'not-an-object', 'not a JSON object: the record is an array'],
    ['"text"', 'not-an-object', 'not a JSON object: the record is a string'],
    ['{"CreationTime":"2024-01-01T00:00:00"}', 'missing-id', 'missing Id'],
    ['{"Id":"   ","CreationTime":"2024-01-01T00:00:00"}', 'missing-id', 'missing Id'],
    ['{"Id":"a"}', 'bad-date', 'bad date: the record has no CreationTime'],
    ['{"Id":"a","CreationTime":"2024-13-01T00:00:00"}', 'bad-date', 'bad date: CreationTime'],
    ['{"Id":"a","CreationTime":"yesterday"}', 'bad-date', 'is not a recognised date']
  ]
  it.each(cases)('%s → %s', (text, code, reason) => {
    const result = normalizeRecord(text)
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.code).toBe(code)
      expect(result.reason).toContain(reason)
    }
  })

  it('takes a missing Id from the fallback (a CSV RecordId) and says so', () => {
    const result = normalizeRecord('{"CreationTime":"2024-01-01T00:00:00"}', { fallbackId: 'R-9' })
    expect(result.ok && result.record.id).toBe('R-9')
    expect(result.ok && result.record.warnings).toEqual(['Id missing; taken from the CSV row'])
  })
})

describe('flattenRecord', () => {
  it('flattens nested objects and arrays with dotted and indexed keys', () => {
    const fields = flattenRecord({
      A: { B: [1, { C: null }], D: {} },
      E: [],
      F: true
    })
    expect(fields).toEqual({
      'A.B[0]': '1',
      'A.B[1].C': '',
      'A.D': '{}',
      E: '[]',
      F: 'true'
    })
  })
})

describe('normalizeRecord with keepFields: false (what a store keeps)', () => {
  it('gives every column and warning as with the fields kept, the fields left empty', () => {
    const raws = [
      JSON.stringify(launchSample, null, 2),
      ...pcExamples.map((_, i) => learnRecord(i)),
      ...dlpExamples.map((example, i) =>
        JSON.stringify({
          Id: `dlp-${i}`,
          CreationTime: '2025-12-16T08:00:00',
          Operation: 'GovernanceApiPolicyOperation',
          ...example
        })
      ),
      // Repeated keys (a PropertyCollection name that is also a top-level field), folded case.
      JSON.stringify({
        Id: 'r',
        CreationTime: '2025-12-16T08:00:00',
        EnvironmentId: 'ENV-A',
        PropertyCollection: [
          { Name: 'EnvironmentId', Value: 'env-b' },
          { Name: 'POWERPLATFORM.ANALYTICS.RESOURCE.CONNECTION.ID', Value: '/apis/shared_sql/c' }
        ]
      })
    ]
    for (const raw of raws) {
      const kept = accept(raw)
      const result = normalizeRecord(raw, { keepFields: false })
      expect(result.ok).toBe(true)
      if (result.ok) {
        expect(result.record.fields).toEqual({})
        expect({ ...result.record, fields: kept.fields }).toEqual(kept)
      }
    }
    expect(accept(raws.at(-1) ?? '').warnings).toContain('repeated key: EnvironmentId')
  })
})
