import { IDBKeyRange, indexedDB } from 'fake-indexeddb'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { GovernanceFold } from '../../../shared/governance'
import { connectionId, crafted, customApiId, signIn } from '../../../shared/governance/test-records'
import { AppDb } from '../db/app-db'

import { GovernanceEngine } from './governance-engine'

const CONN = connectionId('shared_sql', 1)
const API = customApiId('invoices')

const records = [
  signIn('s1', '2026-05-01T09:00:00', 'bob@contoso.example', 'oid-bob'),
  crafted({ id: 'c1', at: '2026-05-18T10:00:00', operation: 'PutConnection', resource: CONN }),
  crafted({
    id: 'g1',
    at: '2026-05-18T11:00:00',
    operation: 'PutConnectionPermission',
    resource: CONN,
    permission: 'CanEdit',
    target: 'oid-bob'
  }),
  crafted({
    id: 'g2',
    at: '2026-05-18T12:00:00',
    operation: 'PutConnectionPermission',
    resource: CONN,
    permission: 'CanView',
    target: 'Everyone'
  }),
  crafted({ id: 'a1', at: '2026-05-19T10:00:00', operation: 'PutApi', resource: API }),
  crafted({ id: 'a2', at: '2026-05-19T15:00:00', operation: 'DeleteApi', resource: API }),
  crafted({
    id: 'd1',
    at: '2026-05-20T02:00:00',
    operation: 'ConnectionDlpEvaluationResultChange',
    resource: CONN,
    properties: { PolicyName: 'Block social' }
  })
]

let db: AppDb
let engine: GovernanceEngine

beforeEach(() => {
  db = new AppDb(`governance-${Math.random()}`, { indexedDB, IDBKeyRange })
  engine = new GovernanceEngine(db)
})

afterEach(async () => {
  db.close()
})

describe('GovernanceEngine: resources and findings from the cache chunks', () => {
  it('answers what the shared fold answers over the same records', async () => {
    await db.commitBatch(records.slice(0, 4))
    await db.commitBatch(records.slice(4))
    const progress = await engine.load()
    expect(progress).toEqual({ folded: records.length, total: records.length, isDone: true })
    const fold = new GovernanceFold()
    records.forEach((r) => fold.add(r))
    const overview = engine.overview({})
    expect(overview.rows).toEqual(fold.rows())
    expect(overview.findings).toEqual(fold.findings())
    const conn = overview.rows.find((r) => r.resourceId === CONN)
    expect(conn?.state).toBe('turned-off')
    expect(conn?.policy).toBe('Block social')
    // The object id of the grant is named by the sign-in record's UPN (enduser.id / UserKey).
    expect(conn?.sharing.map((s) => [s.principalName, s.permission, s.audience])).toEqual([
      ['maker@contoso.example', 'Owner (creator)', 'person'],
      ['bob@contoso.example', 'CanEdit', 'person'],
      ['Everyone', 'CanView', 'organisation']
    ])
    const shortLived = overview.findings.find((f) => f.ruleId === 'short-lived-custom-api')
    expect(shortLived?.items.map((i) => i.recordIds)).toEqual([['a1', 'a2']])
  })

  it('folds only what was committed since the last load, and starts over after a clear', async () => {
    await db.commitBatch(records.slice(0, 2))
    await engine.load()
    expect(engine.overview({}).rows).toHaveLength(1)
    await db.commitBatch(records.slice(2))
    expect((await engine.load()).folded).toBe(records.length)
    expect(
      engine
        .overview({})
        .rows.map((r) => r.kind)
        .sort()
    ).toEqual(['connection', 'custom-api'])
    await db.clearRecords()
    await db.commitBatch(records.slice(4, 6))
    engine.reset()
    await engine.load()
    expect(engine.overview({}).rows.map((r) => r.resourceId)).toEqual([API])
  })

  it('applies settings: a timeline with before/after, and thresholds from the settings', async () => {
    await db.commitBatch(records)
    await engine.load()
    const detail = engine.detail(CONN, {})
    expect(detail.timeline.map((e) => [e.recordId, e.permissionBefore, e.permissionAfter])).toEqual(
      [
        ['c1', null, null],
        ['g1', '', 'CanEdit'],
        ['g2', '', 'CanView'],
        ['d1', null, null]
      ]
    )
    expect(engine.detail('/not/there', {})).toEqual({ row: null, timeline: [] })
    const strict = engine.overview({ shortLivedApiHours: 1 })
    expect(strict.findings.find((f) => f.ruleId === 'short-lived-custom-api')?.count).toBe(0)
    expect(() => engine.overview({ workingHours: { start: '25:00' } })).toThrow(
      /workingHours.start/
    )
  })
})
