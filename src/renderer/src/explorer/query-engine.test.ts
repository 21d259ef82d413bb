import { IDBKeyRange, indexedDB } from 'fake-indexeddb'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { AppDb } from '../db/app-db'

import { makeRecord } from '../../../shared/audit/test-records'

import { QueryEngine } from './query-engine'
import { emptyQuery, type ExplorerQuery } from './query-types'
import { filterMatches } from './text-filter'

const T0 = Date.UTC(2026, 4, 19, 0, 0, 0)
const HOUR = 3_600_000

let db: AppDb
let engine: QueryEngine

function q(patch: Partial<ExplorerQuery> = {}): ExplorerQuery {
  return { ...emptyQuery(), ...patch }
}

beforeEach(async () => {
  db = new AppDb(`engine-${Math.random()}`, { indexedDB, IDBKeyRange })
  await db.commitBatch([
    makeRecord({ id: 'r1', createdAtMs: T0 + 1 * HOUR, userId: 'alex@contoso.example' }),
    makeRecord({
      id: 'r2',
      createdAtMs: T0 + 5 * HOUR,
      userId: 'bea@contoso.example',
      operation: 'PutConnectionPermission',
      activity: 'Connection permission added or edited',
      environment: 'env-dev',
      connector: 'shared_office365'
    }),
    makeRecord({
      id: 'r3',
      createdAtMs: T0 + 3 * HOUR,
      userId: 'cyd@contoso.example',
      userType: 2,
      userTypeLabel: 'Admin',
      category: 'API',
      activity: 'API edited',
      operation: 'PatchApi',
      connector: '',
      fields: { Id: 'r3', 'AdditionalInfo.ActionName': 'PatchApi', Note: '=cmd|calc' }
    }),
    makeRecord({ id: 'r4', createdAtMs: T0 + 2 * HOUR, userId: 'bea@contoso.example' })
  ])
  engine = new QueryEngine(db)
  await engine.load()
})

afterEach(() => db.close())

function ids(query: ExplorerQuery): string[] {
  return engine.ids(query)
}

describe('QueryEngine', () => {
  it('loads every record and sorts newest first by default', () => {
    expect(engine.progress()).toMatchObject({ indexed: 4, total: 4, isDone: true })
    expect(ids(q())).toEqual(['r2', 'r3', 'r4', 'r1'])
  })

  it('filters by date range (from inclusive, to exclusive)', () => {
    expect(ids(q({ fromMs: T0 + 2 * HOUR, toMs: T0 + 5 * HOUR }))).toEqual(['r3', 'r4'])
  })

  it('sorts by any indexed column, both ways, stable on ties', () => {
    const byUser = q({ sort: [{ colId: 'userId', sort: 'asc' }] })
    expect(ids(byUser)).toEqual(['r1', 'r2', 'r4', 'r3'])
    expect(ids(q({ sort: [{ colId: 'userId', sort: 'desc' }] }))).toEqual(['r3', 'r4', 'r2', 'r1'])
    expect(ids(q({ sort: [{ colId: 'f:AdditionalInfo.ActionName', sort: 'desc' }] }))[0]).toBe('r3')
  })

  it('applies facets and counts each facet as if its own selection were not set', () => {
    const summary = engine.summary(q({ facets: { userId: ['bea@contoso.example'] } }))
    expect(summary.total).toBe(2)
    expect(summary.facets.userId).toEqual([
      { value: 'bea@contoso.example', count: 2 },
      { value: 'alex@contoso.example', count: 1 },
      { value: 'cyd@contoso.example', count: 1 }
    ])
    expect(summary.facets.category).toEqual([{ value: 'Connection', count: 2 }])
    expect(summary.facets.connector).toEqual([
      { value: 'shared_office365', count: 1 },
      { value: 'shared_sql', count: 1 }
    ])
    const two = engine.summary(
      q({ facets: { userId: ['bea@contoso.example'], environment: ['env-dev'] } })
    )
    expect(two.total).toBe(1)
    expect(two.facets.environment).toEqual([
      { value: 'env-dev', count: 1 },
      { value: 'env-prod', count: 1 }
    ])
  })

  it('filters per column with ag-grid text filter models', () => {
    expect(ids(q({ columnFilters: { userId: { type: 'startsWith', filter: 'BEA' } } }))).toEqual([
      'r2',
      'r4'
    ])
    expect(
      ids(
        q({
          columnFilters: {
            connector: {
              operator: 'OR',
              conditions: [{ type: 'blank' }, { type: 'equals', filter: 'shared_office365' }]
            }
          }
        })
      )
    ).toEqual(['r2', 'r3'])
    expect(ids(q({ columnFilters: { 'f:Note': { type: 'contains', filter: 'calc' } } }))).toEqual([
      'r3'
    ])
    expect(filterMatches({ type: 'notContains', filter: 'x' }, 'abc')).toBe(true)
  })

  it('searches every field value and derived column, case-insensitively', () => {
    expect(ids(q({ quickSearch: 'CMD|CALC' }))).toEqual(['r3'])
    expect(ids(q({ quickSearch: 'permission added' }))).toEqual(['r2'])
    expect(ids(q({ quickSearch: 'conn-' }))).toHaveLength(4)
    expect(ids(q({ quickSearch: 'nothing-like-this' }))).toEqual([])
  })

  it('draws a histogram of the filtered events', () => {
    const { histogram } = engine.summary(q({ fromMs: T0, toMs: T0 + 6 * HOUR }))
    expect(histogram.startMs).toBe(T0)
    expect(histogram.counts.reduce((a, b) => a + b, 0)).toBe(4)
    const hourly = histogram.counts.length === 6 ? histogram.counts : null
    expect(hourly ?? histogram.counts.filter((c) => c > 0)).toEqual(
      hourly ? [0, 1, 1, 1, 0, 1] : [1, 1, 1, 1]
    )
  })

  it('serves pages of rows read from the cache, without the raw text', async () => {
    const page = await engine.rows(q(), 1, 3)
    expect(page.total).toBe(4)
    expect(page.rows.map((r) => r.id)).toEqual(['r3', 'r4'])
    expect(page.rows[0]).not.toHaveProperty('raw')
    expect(page.rows[0]?.fields['Note']).toBe('=cmd|calc')
  })

  it('appends newly committed records without reloading the others', async () => {
    expect(await db.commitBatch([makeRecord({ id: 'r5', createdAtMs: T0 + 4 * HOUR })])).toEqual({
      new: 1,
      duplicates: 0
    })
    await db.commitBatch([makeRecord({ id: 'r1' })])
    const progress = await engine.load()
    expect(progress.indexed).toBe(5)
    expect(ids(q())).toEqual(['r2', 'r5', 'r3', 'r4', 'r1'])
    expect(ids(q({ sort: [{ colId: 'userId', sort: 'asc' }] }))).toHaveLength(5)
  })

  it('reads records committed while a load is running', async () => {
    const running = engine.load()
    await db.commitBatch([makeRecord({ id: 'r6', createdAtMs: T0 + 6 * HOUR })])
    const again = engine.load()
    await running
    await again
    expect(ids(q())[0]).toBe('r6')
  })

  it('answers a second open with the load under way, or with where loading stands', async () => {
    const fresh = new QueryEngine(db)
    expect(await fresh.settled()).toMatchObject({ indexed: 0, isDone: false })
    const running = fresh.load()
    const settled = fresh.settled()
    expect(await settled).toEqual(await running)
    expect(await settled).toMatchObject({ indexed: 4, total: 4, isDone: true })
    expect(await fresh.settled()).toMatchObject({ indexed: 4, isDone: true })
  })

  it('bulk-tags what the filter shows and filters by tag', async () => {
    const query = q({ facets: { userId: ['bea@contoso.example'] } })
    expect(await engine.bulkTag(query, 'suspicious')).toBe(2)
    expect(ids(q({ tags: ['suspicious'] }))).toEqual(['r2', 'r4'])
    expect(ids(q({ quickSearch: 'suspic' }))).toEqual(['r2', 'r4'])
    expect((await engine.rows(q(), 0, 1)).rows[0]?.tags).toEqual(['suspicious'])
    await db.setAnnotation('r2', [], '')
    await engine.loadTags(['r2'])
    expect(ids(q({ tags: ['suspicious'] }))).toEqual(['r4'])
    const reloaded = new QueryEngine(db)
    await reloaded.load()
    expect(reloaded.ids(q({ tags: ['suspicious'] }))).toEqual(['r4'])
  })
})
