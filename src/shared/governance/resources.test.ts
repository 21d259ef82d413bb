import { describe, expect, it } from 'vitest'

import { classifyConnectorRecord } from './connector-events'
import { ResourceIndex, deriveResources } from './resources'
import { TENANT, connectionId, crafted, customApiId, shuffled, signIn } from './test-records'

const CONN = connectionId('shared_sql', 1)
const ALICE = 'alice@contoso.example'
const BOB = 'bob@contoso.example'
const CAROL = 'carol@contoso.example'
const BOB_OID = 'b0b00000-0000-0000-0000-000000000000'
const CAROL_OID = 'ca401000-0000-0000-0000-000000000000'

function sharingStory(): ReturnType<typeof crafted>[] {
  return [
    signIn('s-bob', '2026-05-01T08:00:00', BOB, BOB_OID),
    signIn('s-carol', '2026-05-01T08:00:00', CAROL, CAROL_OID),
    crafted({
      id: 'e1',
      at: '2026-05-18T09:00:00',
      operation: 'PutConnection',
      resource: CONN,
      actor: ALICE,
      ip: '10.0.0.7',
      environmentName: 'Finance (Production)'
    }),
    crafted({
      id: 'e2',
      at: '2026-05-18T10:00:00',
      operation: 'PutConnectionPermission',
      resource: CONN,
      actor: ALICE,
      permission: 'CanView',
      target: BOB_OID
    }),
    crafted({
      id: 'e3',
      at: '2026-05-19T10:00:00',
      operation: 'PutConnectionPermission',
      resource: CONN,
      actor: ALICE,
      permission: 'CanEdit',
      target: BOB_OID
    }),
    crafted({
      id: 'e4',
      at: '2026-05-19T11:00:00',
      operation: 'PutConnectionPermission',
      resource: CONN,
      actor: ALICE,
      permission: 'CanView',
      target: CAROL_OID
    }),
    crafted({
      id: 'e5',
      at: '2026-05-20T11:00:00',
      operation: 'DeleteConnectionPermission',
      resource: CONN,
      actor: BOB,
      ip: '10.9.9.9',
      target: CAROL_OID
    }),
    crafted({
      id: 'e6',
      at: '2026-05-21T11:00:00',
      operation: 'PatchConnection',
      resource: CONN,
      actor: BOB
    })
  ]
}

describe('ResourceIndex: one row per resource', () => {
  it('derives sharing net of grants and removals, with the event that granted it', () => {
    const index = deriveResources(sharingStory())
    expect(index.size).toBe(1)
    const row = index.row(CONN)
    expect(row).not.toBeNull()
    expect(row?.kind).toBe('connection')
    expect(row?.connector).toBe('shared_sql')
    expect(row?.environmentName).toBe('Finance (Production)')
    expect(row?.eventCount).toBe(6)
    expect(row?.state).toBe('active')
    expect(row?.created).toEqual({
      at: Date.parse('2026-05-18T09:00:00Z'),
      by: ALICE,
      recordId: 'e1'
    })
    expect(row?.createdBasis).toMatch(/does not say whether it created or edited/)
    expect(row?.lastChange).toMatchObject({ recordId: 'e6', by: BOB, change: 'edit' })
    expect(row?.sharing.map((s) => [s.principalName, s.permission, s.grant.recordId])).toEqual([
      [ALICE, 'Owner (creator)', 'e1'],
      [BOB, 'CanEdit', 'e3']
    ])
    const bob = row?.sharing[1]
    expect(bob?.since).toBe(Date.parse('2026-05-18T10:00:00Z'))
    expect(bob?.grant.by).toBe(ALICE)
    expect(bob?.audience).toBe('person')
  })

  it('shows permission changes as before/after on the timeline, with actors and addresses', () => {
    const timeline = deriveResources(shuffled(sharingStory(), 3)).timeline(CONN)
    expect(timeline.map((t) => t.recordId)).toEqual(['e1', 'e2', 'e3', 'e4', 'e5', 'e6'])
    expect(timeline.map((t) => [t.permissionBefore, t.permissionAfter])).toEqual([
      [null, null],
      ['', 'CanView'],
      ['CanView', 'CanEdit'],
      ['', 'CanView'],
      ['CanView', ''],
      [null, null]
    ])
    expect(timeline[4]).toMatchObject({ actor: BOB, ip: '10.9.9.9', principalName: CAROL })
    expect(timeline[4]?.summary).toBe(`permission removed: ${CAROL} CanView → none`)
  })

  it('gives the same rows and timelines whatever order the records arrive in', () => {
    const records = [
      ...sharingStory(),
      crafted({
        id: 'x1',
        at: '2026-05-18T09:00:00',
        operation: 'PutApi',
        resource: customApiId('a')
      }),
      crafted({
        id: 'x2',
        at: '2026-05-18T09:00:00',
        operation: 'DeleteApi',
        resource: customApiId('a')
      })
    ]
    const expected = deriveResources(records)
    for (const seed of [1, 2, 3, 4, 5]) {
      const other = deriveResources(shuffled(records, seed))
      expect(other.rows()).toEqual(expected.rows())
      expect(other.timeline(CONN)).toEqual(expected.timeline(CONN))
    }
  })

  it('counts a record added twice once', () => {
    const records = sharingStory()
    const index = new ResourceIndex().addAll(records).addAll(records)
    expect(index.row(CONN)?.eventCount).toBe(6)
  })

  it('says what "created" rests on when the cache holds no create event', () => {
    const index = deriveResources([
      crafted({
        id: 'p1',
        at: '2026-05-19T10:00:00',
        operation: 'PutConnectionPermission',
        resource: CONN,
        permission: 'CanView',
        target: BOB_OID
      })
    ])
    const row = index.row(CONN)
    expect(row?.created).toBeNull()
    expect(row?.createdBasis).toBe(
      'no create event in the cache: first seen 2026-05-19T10:00:00Z (permission added or edited, record p1)'
    )
    expect(row?.state).toBe('active')
    expect(row?.stateBasis).toMatch(
      /^no create, delete or data-policy event in the cache: first seen/
    )
  })

  it('marks a deleted resource, clears its sharing and notes events after the deletion', () => {
    const index = deriveResources([
      ...sharingStory(),
      crafted({
        id: 'd1',
        at: '2026-05-22T11:00:00',
        operation: 'DeleteConnection',
        resource: CONN,
        actor: ALICE
      }),
      crafted({
        id: 'd2',
        at: '2026-05-23T11:00:00',
        operation: 'PatchConnection',
        resource: CONN,
        actor: BOB
      })
    ])
    const row = index.row(CONN)
    expect(row?.state).toBe('deleted')
    expect(row?.stateRecordId).toBe('d1')
    expect(row?.stateBasis).toMatch(/^deleted 2026-05-22T11:00:00Z by alice@contoso.example/)
    expect(row?.sharing).toEqual([])
    expect(row?.notes.join('\n')).toMatch(
      /edited on 2026-05-23T11:00:00Z \(d2\) after the deletion/
    )
  })

  it('marks a connection turned off by a data policy, naming the policy; a later create re-activates it', () => {
    const policy = {
      'powerplatform.analytics.resource.tenant.governance.api_policy.display_name': 'Block social'
    }
    const off = [
      crafted({ id: 'c1', at: '2026-05-18T09:00:00', operation: 'PutConnection', resource: CONN }),
      crafted({
        id: 'c2',
        at: '2026-05-19T09:00:00',
        operation: 'ConnectionDlpEvaluationResultChange',
        resource: CONN,
        properties: policy
      })
    ]
    const row = deriveResources(off).row(CONN)
    expect(row?.state).toBe('turned-off')
    expect(row?.policy).toBe('Block social')
    expect(row?.stateBasis).toMatch(
      /turned off by the data policy Block social 2026-05-19T09:00:00Z \(record c2\)/
    )
    // A PutConnection after the evaluation does not make a new incarnation: still off.
    const edited = deriveResources([
      ...off,
      crafted({ id: 'c3', at: '2026-05-20T09:00:00', operation: 'PutConnection', resource: CONN })
    ]).row(CONN)
    expect(edited?.state).toBe('turned-off')
    const recreated = deriveResources([
      ...off,
      crafted({
        id: 'c3',
        at: '2026-05-20T09:00:00',
        operation: 'DeleteConnection',
        resource: CONN
      }),
      crafted({ id: 'c4', at: '2026-05-21T09:00:00', operation: 'PutConnection', resource: CONN })
    ]).row(CONN)
    expect(recreated?.state).toBe('active')
    expect(recreated?.stateRecordId).toBe('c4')
  })

  it('keys a resource by its id case-insensitively and keeps the earliest spelling', () => {
    const index = deriveResources([
      crafted({
        id: 'k2',
        at: '2026-05-19T09:00:00',
        operation: 'PatchConnection',
        resource: CONN.toUpperCase()
      }),
      crafted({
        id: 'k1',
        at: '2026-05-18T09:00:00',
        operation: 'PutConnection',
        resource: `${CONN}/`
      })
    ])
    expect(index.size).toBe(1)
    expect(index.rows()[0]?.resourceId).toBe(`${CONN}/`)
  })

  it('classifies gateways and custom APIs, and tells whom a share reaches', () => {
    const gw = 'f0f0f0f0-0000-0000-0000-00000000beef'
    const guestOid = '9e570000-0000-0000-0000-000000000000'
    const index = deriveResources([
      signIn(
        's-guest',
        '2026-05-01T08:00:00',
        'vendor_fabrikam.example#EXT#@contoso.example',
        guestOid
      ),
      crafted({
        id: 'g1',
        at: '2026-05-18T09:00:00',
        operation: 'PutGatewayPermission',
        resource: gw,
        permission: 'Admin',
        target: TENANT
      }),
      crafted({
        id: 'g2',
        at: '2026-05-18T09:05:00',
        operation: 'PutGatewayPermission',
        resource: gw,
        permission: 'User',
        target: guestOid
      }),
      crafted({
        id: 'a1',
        at: '2026-05-18T09:00:00',
        operation: 'PutApi',
        resource: customApiId('invoice')
      })
    ])
    expect(index.row(gw)?.kind).toBe('gateway')
    expect(index.row(customApiId('invoice'))?.kind).toBe('custom-api')
    expect(index.row(gw)?.sharing.map((s) => [s.permission, s.audience])).toEqual([
      ['Admin', 'organisation'],
      ['User', 'guest']
    ])
    expect(index.row(gw)?.sharing[1]?.audienceReason).toMatch(/#EXT#/)
  })

  it('lists connector records that name no resource instead of dropping them', () => {
    const index = deriveResources([
      crafted({ id: 'u1', at: '2026-05-18T09:00:00', operation: 'DeleteConnection', resource: '' })
    ])
    expect(index.size).toBe(0)
    expect(index.unattributedRecords()).toEqual([
      { recordId: 'u1', reason: 'Operation DeleteConnection (deleted) names no resource id' }
    ])
  })
})

describe('classifyConnectorRecord', () => {
  it('decides by Operation, then activity label, then API action, and says which', () => {
    const byOp = crafted({
      id: 'o',
      at: '2026-05-18T09:00:00',
      operation: 'deleteconnection',
      resource: CONN
    })
    expect(classifyConnectorRecord(byOp)).toEqual({
      kind: 'connection',
      change: 'delete',
      basis: 'Operation deleteconnection'
    })
    const byLabel = {
      ...crafted({ id: 'l', at: '2026-05-18T09:00:00', operation: 'RemoveConn2', resource: CONN }),
      activity: 'Connection deleted'
    }
    expect(classifyConnectorRecord(byLabel)?.basis).toBe('activity "Connection deleted"')
    const byAction = crafted({
      id: 'a',
      at: '2026-05-18T09:00:00',
      operation: 'SomethingNew',
      resource: CONN,
      action: 'Microsoft.PowerApps/apis/connections/permissions/delete'
    })
    expect(classifyConnectorRecord(byAction)).toMatchObject({
      kind: 'connection',
      change: 'permission-remove'
    })
    const unrelated = signIn('n', '2026-05-18T09:00:00', ALICE, 'x')
    expect(classifyConnectorRecord(unrelated)).toBeNull()
  })
})
