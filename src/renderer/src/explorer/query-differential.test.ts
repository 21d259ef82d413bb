import { IDBKeyRange, indexedDB } from 'fake-indexeddb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { AppDb } from '../db/app-db'
import type { NormalizedRecord } from '../../../shared/audit'

import { makeRecord } from '../../../shared/audit/test-records'

import { ColumnIndex as LegacyIndex } from './test-support/legacy-column-index'
import type { GlobalPool } from './global-pool'
import { QueryEngine } from './query-engine'
import {
  DATE_COLUMN,
  FACET_COLUMNS,
  TEXT_COLUMNS,
  emptyQuery,
  type ColumnFilter,
  type ExplorerQuery,
  type TextFilterType
} from './query-types'

// A differential test: the chunked cache + new index must answer exactly like the engine it
// replaced (test-support/legacy-column-index.ts, fed the same records as objects), over randomized queries.

let state = 20261129
function rand(n: number): number {
  state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff
  return state % n
}
function pick<T>(values: readonly T[]): T {
  return values[rand(values.length)]!
}

const USERS = [
  'alex@contoso.example',
  'Bea@Contoso.example',
  'cyd@contoso.example',
  'dé@contoso.example',
  ''
]
const OPERATIONS = ['PutConnection', 'DeleteConnection', 'PatchApi', 'LaunchPowerApp', 'CreateFlow']
const ENVIRONMENTS = ['env-prod', 'env-dev', 'Default-1234', '']
const CONNECTORS = ['shared_sql', 'shared_office365', 'shared_http', '']
const CATEGORIES = ['Connection', 'API', 'Power Apps', 'Other'] as const
const WORDS = ['alpha', 'Beta', 'GAMMA', 'İstanbul', 'straße', 'x=1', '42', '007', 'a b', '']
const T0 = Date.UTC(2026, 4, 1)

function randomRecord(i: number): NormalizedRecord {
  const operation = pick(OPERATIONS)
  const fields: Record<string, string> = { Id: `rec-${i}`, Operation: operation }
  for (let k = 0; k < 1 + rand(5); k++) {
    fields[`Field${rand(8)}`] = `${pick(WORDS)}${rand(3) === 0 ? `-${rand(500)}` : ''}`
  }
  if (rand(4) === 0) {
    fields['AdditionalInfo.Nested'] = `n-${rand(50)}`
  }
  return makeRecord({
    id: `rec-${i}`,
    // Ties on purpose: the order among equal times must match too.
    createdAtMs: T0 + rand(2000) * 60_000,
    // A third of the users are many (their dictionary outgrows one-byte codes mid-load).
    userId: rand(3) === 0 ? `user${rand(700)}@contoso.example` : pick(USERS),
    operation,
    activity: `${operation} done`,
    category: pick(CATEGORIES),
    environment: pick(ENVIRONMENTS),
    connector: pick(CONNECTORS),
    clientIp: `10.0.${rand(4)}.${rand(30)}`,
    resource: rand(3) === 0 ? '' : `res-${rand(300)}`,
    objectId: `obj-${rand(400)}`,
    userTypeLabel: rand(6) === 0 ? 'Admin' : 'Regular user',
    fields
  })
}

const FILTER_TYPES: TextFilterType[] = [
  'contains',
  'notContains',
  'equals',
  'notEqual',
  'startsWith',
  'endsWith',
  'blank',
  'notBlank'
]

function randomCondition(): ColumnFilter {
  return {
    filterType: 'text',
    type: pick(FILTER_TYPES),
    filter: pick(['a', 'B', '1', 'res-1', 'con', ''])
  }
}

function randomQuery(records: readonly NormalizedRecord[]): ExplorerQuery {
  const query = emptyQuery()
  if (rand(3) === 0) {
    query.fromMs = T0 + rand(1000) * 60_000
    query.toMs = query.fromMs + rand(1500) * 60_000
  }
  for (const facet of FACET_COLUMNS) {
    if (rand(5) === 0) {
      query.facets[facet] = [
        records[rand(records.length)]![facet],
        records[rand(records.length)]![facet]
      ]
    }
  }
  if (rand(3) === 0) {
    query.quickSearch = pick([
      'alpha',
      'ETA',
      'res-1',
      'contoso',
      'istanbul',
      'ß',
      '00',
      ' ',
      'zzz',
      'é'
    ])
  }
  if (rand(3) === 0) {
    const colId = rand(3) === 0 ? `f:Field${rand(8)}` : pick(TEXT_COLUMNS)
    query.columnFilters[colId] =
      rand(3) === 0
        ? {
            filterType: 'text',
            operator: pick(['AND', 'OR'] as const),
            conditions: [randomCondition() as never, randomCondition() as never]
          }
        : randomCondition()
  }
  const sortCol =
    rand(2) === 0 ? DATE_COLUMN : rand(3) === 0 ? `f:Field${rand(8)}` : pick(TEXT_COLUMNS)
  query.sort = [{ colId: sortCol, sort: rand(2) === 0 ? 'asc' : 'desc' }]
  return query
}

let db: AppDb
let engine: QueryEngine
let legacy: LegacyIndex
let records: NormalizedRecord[]

beforeAll(async () => {
  db = new AppDb(`differential-${Math.random()}`, { indexedDB, IDBKeyRange })
  records = Array.from({ length: 6000 }, (_, i) => randomRecord(i))
  // Several batches of different sizes, one bigger than a chunk, with repeats across batches.
  const sizes = [1, 700, 5000, 299]
  let at = 0
  for (const size of sizes) {
    await db.commitBatch([...records.slice(at, at + size), ...records.slice(0, 3)])
    at += size
  }
  legacy = new LegacyIndex()
  legacy.append(records)
  engine = new QueryEngine(db)
  await engine.load()
})

afterAll(() => db.close())

describe('the chunked cache answers like the engine it replaced', () => {
  it('holds every record once, in commit order', () => {
    // The user column's codes widen from one byte to two while the third batch loads.
    const usersBefore = new Set(records.slice(0, 701).map((r) => r.userId)).size
    expect(usersBefore).toBeLessThanOrEqual(256)
    expect(new Set(records.map((r) => r.userId)).size).toBeGreaterThan(256)
    expect(engine.index.size).toBe(records.length)
    expect(engine.ids(emptyQuery())).toEqual(
      Array.from(legacy.run(emptyQuery()).rows, (row) => legacy.idOf(row))
    )
  })

  it('gives the same rows, order, counts, facets and histogram for 300 random queries', () => {
    // (Loading prepared the first chunk for the search, the idle preparation no other yet.)
    expectSameAnswers(300)
  })

  it('gives the same answers once every chunk is prepared (shared values, filters)', () => {
    expect(engine.index.prepareSearch(Number.POSITIVE_INFINITY)).toBe(true)
    // Users, connectors, environments… are held once for every chunk now (shared-values.ts).
    const { pool } = (engine.index as unknown as { store: { pool: GlobalPool } }).store
    expect(pool.shared.size).toBeGreaterThan(100)
    expectSameAnswers(300)
  })

  function expectSameAnswers(queries: number): void {
    for (let i = 0; i < queries; i++) {
      const query = randomQuery(records)
      const expected = legacy.run(query)
      const actual = engine.run(query)
      const context = JSON.stringify(query)
      expect(actual.facets, context).toEqual(expected.facets)
      expect(actual.histogram, context).toEqual(expected.histogram)
      const expectedIds = Array.from(expected.rows, (row) => legacy.idOf(row))
      const actualIds = Array.from(actual.rows, (row) => engine.index.idOf(row))
      const sortCol = query.sort[0]!.colId
      if (sortCol === DATE_COLUMN) {
        expect(actualIds, context).toEqual(expectedIds)
      } else {
        // Values that differ but collate as equal ('Beta'/'beta', '007'/'7') may tie in a
        // different order; the sequence of sort values and the set of rows must be identical.
        expect(
          Array.from(actual.rows, (row) => engine.index.valueOf(row, sortCol)),
          context
        ).toEqual(Array.from(expected.rows, (row) => legacy.valueOf(row, sortCol)))
        expect([...actualIds].sort(), context).toEqual([...expectedIds].sort())
      }
    }
  }

  it('filters "contains" and "does not contain" pairs on pool-coded columns alike', () => {
    // Decided from the quick search's marks, not by reading each value (column-index.ts).
    for (const colId of ['clientIp', 'resource', 'objectId', 'f:Field1', 'f:Field5']) {
      for (const operator of ['AND', 'OR'] as const) {
        for (const [first, second] of [
          ['contains', 'contains'],
          ['contains', 'notContains'],
          ['notContains', 'notContains']
        ] as const) {
          const query = emptyQuery()
          query.columnFilters[colId] = {
            filterType: 'text',
            operator,
            conditions: [
              { filterType: 'text', type: first, filter: 'R' },
              { filterType: 'text', type: second, filter: '1' }
            ]
          }
          const expected = Array.from(legacy.run(query).rows, (row) => legacy.idOf(row))
          const actual = Array.from(engine.run(query).rows, (row) => engine.index.idOf(row))
          expect(actual, JSON.stringify(query)).toEqual(expected)
        }
      }
    }
  })

  it('lists the same flattened field keys with the same counts', () => {
    expect(engine.index.fieldKeyInfo()).toEqual(legacy.fieldKeyInfo())
  })

  it('serves grid rows and whole records exactly as they were committed', async () => {
    const page = engine.rows(emptyQuery(), 0, 50)
    for (const row of page.rows) {
      const original = records.find((r) => r.id === row.id)!
      // eslint-disable-next-line @typescript-eslint/no-unused-vars
      const { raw, warnings, provenance, ...rest } = original
      expect(row).toEqual({ ...rest, tags: [] })
    }
    const whole = await engine.records(emptyQuery(), 100, 140)
    for (const record of whole.records) {
      expect(record).toEqual(records.find((r) => r.id === record.id))
    }
  })
})
