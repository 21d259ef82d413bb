import { describe, expect, it } from 'vitest'

import { GovernanceFold } from '../../../shared/governance'
import { connectionId, crafted, customApiId } from '../../../shared/governance/test-records'

import {
  filterResources,
  formatUtc,
  holderText,
  recordsOfRule,
  resourceTitle
} from './governance-format'

const fold = new GovernanceFold()
for (const r of [
  crafted({
    id: 'c1',
    at: '2026-05-18T10:00:00',
    operation: 'PutConnection',
    resource: connectionId('shared_sql', 1),
    environmentName: 'Production'
  }),
  crafted({
    id: 'g1',
    at: '2026-05-18T11:00:00',
    operation: 'PutConnectionPermission',
    resource: connectionId('shared_sql', 1),
    permission: 'CanView',
    target: 'Everyone'
  }),
  crafted({ id: 'a1', at: '2026-05-19T10:00:00', operation: 'PutApi', resource: customApiId('x') }),
  crafted({
    id: 'a2',
    at: '2026-05-19T11:00:00',
    operation: 'DeleteApi',
    resource: customApiId('x')
  })
]) {
  fold.add(r)
}
const rows = fold.rows()

describe('governance view formatting', () => {
  it('writes times in UTC, named', () => {
    expect(formatUtc(Date.UTC(2026, 4, 19, 10, 0, 3))).toBe('2026-05-19 10:00:03 UTC')
  })

  it('filters resources by kind, state and text over ids, names and holders', () => {
    const all = { text: '', kind: '', state: '' } as const
    expect(filterResources(rows, all)).toHaveLength(2)
    expect(filterResources(rows, { ...all, kind: 'custom-api' }).map((r) => r.state)).toEqual([
      'deleted'
    ])
    expect(filterResources(rows, { ...all, state: 'active' }).map((r) => r.kind)).toEqual([
      'connection'
    ])
    expect(filterResources(rows, { ...all, text: 'EVERYONE' }).map((r) => r.kind)).toEqual([
      'connection'
    ])
    expect(filterResources(rows, { ...all, text: 'production' })).toHaveLength(1)
    expect(filterResources(rows, { ...all, text: 'nothing like it' })).toEqual([])
  })

  it('names a holder with the audience it reaches', () => {
    const conn = rows.find((r) => r.kind === 'connection')!
    expect(conn.sharing.map(holderText)).toEqual([
      'maker@contoso.example: Owner (creator)',
      'Everyone: CanView (organisation)'
    ])
  })

  it("lists a rule's records once each, in the order its findings cite them", () => {
    const at = 0
    const item = (
      recordIds: string[]
    ): { reason: string; recordIds: string[]; resourceKey: string; actor: string; at: number } => ({
      reason: '',
      recordIds,
      resourceKey: '',
      actor: '',
      at
    })
    expect(recordsOfRule({ items: [item(['a', 'b']), item(['b', 'c']), item(['a'])] })).toEqual([
      'a',
      'b',
      'c'
    ])
  })

  it('names a resource by its display name, else by kind, connector and the start of its id', () => {
    const conn = rows.find((r) => r.kind === 'connection')!
    expect(resourceTitle(conn)).toBe('shared_sql connection conn1')
    expect(
      resourceTitle({
        ...conn,
        resourceId:
          '/providers/Microsoft.PowerApps/apis/shared_sql/connections/0c88341ec7324fe7b176922c913d253e'
      })
    ).toBe('shared_sql connection 0c88341e…')
    const api = rows.find((r) => r.kind === 'custom-api')!
    expect(resourceTitle(api)).toBe('custom API shared_x')
    expect(resourceTitle({ ...api, name: 'Contoso Pilot API' })).toBe('Contoso Pilot API')
    expect(
      resourceTitle({ ...api, kind: 'gateway', resourceId: '9a000001-aaaa-4bbb-8ccc-000000000001' })
    ).toBe('gateway 9a000001…')
  })
})
