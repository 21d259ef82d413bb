import { describe, expect, it } from 'vitest'

import { normalizeRecord } from '../../../shared/audit'

import { DOCUMENTED_FIELDS, orderDetailFields } from './detail-order'

describe('details pane order', () => {
  it('puts the documented activity details first, in the documented order, then the rest', () => {
    // A connector record as the Management API sends it, keys in its own (different) order.
    const raw = {
      AdditionalInfo: JSON.stringify({
        ResourceId: '/providers/Microsoft.PowerApps/apis/shared_sql/connections/c1',
        UserAgent: 'Mozilla/5.0',
        EnvironmentName: 'Default-1111',
        ActionName: 'PutConnection'
      }),
      Workload: 'PowerPlatform',
      UserId: 'bea@contoso.example',
      ObjectId: 'c1',
      ClientIP: '203.0.113.9',
      UserKey: '10030000AAAA',
      UserType: 0,
      RecordType: 261,
      OrganizationId: '11111111-2222-3333-4444-555555555555',
      Operation: 'PutConnection',
      Id: '6b1e9c0a-0000-4000-8000-000000000001',
      CreationTime: '2026-05-19T10:00:00',
      ResultStatus: 'Succeeded'
    }
    const result = normalizeRecord(JSON.stringify(raw))
    if (!result.ok) {
      throw new Error(result.reason)
    }
    const { record } = result
    const { documented, others } = orderDetailFields(record.fields)
    expect(documented.map(([key]) => key)).toEqual([
      'CreationTime',
      'Id',
      'Operation',
      'OrganizationId',
      'UserType',
      'ClientIP',
      'ObjectId',
      'UserId',
      'AdditionalInfo',
      'AdditionalInfo.EnvironmentName',
      'AdditionalInfo.ActionName',
      'AdditionalInfo.ResourceId'
    ])
    expect(documented.find(([key]) => key === 'ClientIP')?.[1]).toBe('203.0.113.9')
    // Everything else follows in the record's own order, nothing lost or repeated.
    expect(others.map(([key]) => key)).toEqual(
      Object.keys(record.fields).filter(
        (key) => !(DOCUMENTED_FIELDS as readonly string[]).includes(key)
      )
    )
    expect(others.map(([key]) => key)).toContain('AdditionalInfo.UserAgent')
    expect(documented.length + others.length).toBe(Object.keys(record.fields).length)
  })

  it('matches documented keys without regard to case and keeps missing ones out', () => {
    const { documented, others } = orderDetailFields({
      Note: 'x',
      userid: 'alex@contoso.example',
      CREATIONTIME: '2026-05-19T10:00:00'
    })
    expect(documented).toEqual([
      ['CREATIONTIME', '2026-05-19T10:00:00'],
      ['userid', 'alex@contoso.example']
    ])
    expect(others).toEqual([['Note', 'x']])
  })
})
