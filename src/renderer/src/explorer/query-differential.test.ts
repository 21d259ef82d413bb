import { IDBKeyRange, indexedDB } from 'fake-indexeddb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { AppDb } from '../db/app-db'
import type { NormalizedRecord } from '../../../shared/audit'

import { makeRecord } from '../../../shared/audit/test-records'

import { ColumnIndex as LegacyIndex } from './test-support/legacy-column-index'
import type { GlobalPool } from './global-pool'
import type { LoadedChunk } from './loaded-chunks'
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
/** The flattened fields the queries filter and sort by. */
const FIELD_KEYS = [...Array.from({ length: 8 }, (_, k) => `Field${k}`), 'Actor', 'CreationTime']

/** A second sequence, for the time texts: the records are otherwise as they were before. */
let timeState = 7
function timeRand(n: number): number {
  timeState = (Math.imul(timeState, 1103515245) + 12345) & 0x7fffffff
  return timeState % n
}

/**
 * Purview's `CreationTime` field: the record's time as `2026-05-01T12:34:00` (the pool drops it
 * and rebuilds it from the time column: time-texts.ts), but now and then another form, another
 * record's time (rebuilt from that record's row), or missing.
 */
function creationTime(createdAtMs: number): string | null {
  const iso = new Date(createdAtMs).toISOString()
  switch (timeRand(12)) {
    case 0:
      return iso
    case 1:
      return new Date(T0 + timeRand(2000) * 60_000).toISOString().slice(0, 19)
    case 2:
      return null
    default:
      return iso.slice(0, 19)
  }
}

/**
 * Field layouts of the records from {@link LAID_OUT_FROM} on: so few that their chunks keep
 * their keys as shapes (loaded-chunks.ts), as Purview's records do; the others' random keys
 * make too many.
 */
const LAYOUTS = [
  ['Field1', 'Field3'],
  ['Field0', 'Field5', 'Field6'],
  ['Field2'],
  ['Field4', 'Field7']
]
const LAID_OUT_FROM = 3000

function randomRecord(i: number): NormalizedRecord {
  const operation = pick(OPERATIONS)
  const fields: Record<string, string> = { Id: `rec-${i}`, Operation: operation }
  const word = (): string => `${pick(WORDS)}${rand(3) === 0 ? `-${rand(500)}` : ''}`
  if (i >= LAID_OUT_FROM) {
    for (const key of pick(LAYOUTS)) {
      fields[key] = word()
    }
  } else {
    for (let k = 0; k < 1 + rand(5); k++) {
      fields[`Field${rand(8)}`] = word()
    }
  }
  if (rand(4) === 0) {
    fields['AdditionalInfo.Nested'] = `n-${rand(50)}`
  }
  // A third of the users are many (their dictionary outgrows one-byte codes mid-load).
  const userId = rand(3) === 0 ? `user${rand(700)}@contoso.example` : pick(USERS)
  // Purview repeats columns among the fields (read from the column once a chunk is prepared):
  // here the user, under its own key in every flow record and under Field6 in some records.
  if (operation === 'CreateFlow') {
    fields['Actor'] = userId
  }
  if (rand(3) === 0) {
    fields['Field6'] = rand(4) === 0 ? pick(WORDS) : userId
  }
  // Ties on purpose: the order among equal times must match too.
  const createdAtMs = T0 + rand(2000) * 60_000
  const time = creationTime(createdAtMs)
  if (time !== null) {
    fields['CreationTime'] = time
  }
  return makeRecord({
    id: `rec-${i}`,
    createdAtMs,
    userId,
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
    filter: pick(['a', 'B', '1', 'res-1', 'con', '', ':4', '2026-05-01T2'])
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
      'é',
      // In the time texts (time-texts.ts): within the date, across the `T` (a needle with `:` is
      // read as a column's name: the column filters below have those).
      '5-01',
      '2026-05-0',
      '01t00',
      '05-01t1',
      '0z'
    ])
  }
  if (rand(3) === 0) {
    const colId = rand(3) === 0 ? `f:${pick(FIELD_KEYS)}` : pick(TEXT_COLUMNS)
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
    rand(2) === 0 ? DATE_COLUMN : rand(3) === 0 ? `f:${pick(FIELD_KEYS)}` : pick(TEXT_COLUMNS)
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

/** The engine every test but one shares (loaded once). */
const sharedEngine = (): QueryEngine => engine

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

  it('gives the same answers when the first query comes after every chunk is prepared', async () => {
    // Nothing cached from before: field columns and grid rows are read from what the
    // preparation kept (repeated values from their columns, through dictionaries).
    const prepared = new QueryEngine(db)
    await prepared.load()
    expect(prepared.index.prepareSearch(Number.POSITIVE_INFINITY)).toBe(true)
    // The laid-out records' chunks read repeated values from their columns; the others do not.
    const { chunks } = (prepared.index as unknown as { store: { chunks: LoadedChunk[] } }).store
    const repeating = chunks.filter((chunk) => chunk.sources !== null)
    expect(repeating.length).toBeGreaterThan(0)
    expect(repeating.length).toBeLessThan(chunks.length)
    // Every chunk's pool rebuilds its CreationTime texts from the time column (time-texts.ts).
    const { pool } = (prepared.index as unknown as { store: { pool: GlobalPool } }).store
    const rebuilt = pool.chunks.reduce((n, chunk) => n + (chunk.times?.texts.locals.length ?? 0), 0)
    // (The times are whole minutes of 2,000: a chunk holds each text once.)
    expect(rebuilt).toBeGreaterThan(2000)
    expectSameAnswers(300, prepared)
    // A rebuilt time text is found by its exact value, as the other values are.
    for (const record of [records[10]!, records[4321]!, records[5999]!]) {
      for (const type of ['equals', 'notEqual', 'startsWith', 'endsWith'] as const) {
        const query = emptyQuery()
        query.columnFilters['f:CreationTime'] = {
          filterType: 'text',
          type,
          filter: record.fields['CreationTime'] ?? '2026-05-01T00:00:00'
        }
        const expected = Array.from(legacy.run(query).rows, (row) => legacy.idOf(row))
        const actual = Array.from(prepared.run(query).rows, (row) => prepared.index.idOf(row))
        expect(actual, JSON.stringify(query)).toEqual(expected)
        expect(actual.length).toBeGreaterThan(0)
      }
    }
    // Every field of a page of rows, as the records had them.
    const byId = new Map(records.map((record) => [record.id, record]))
    const page = prepared.rows(emptyQuery(), 0, 200)
    expect(page.rows).toHaveLength(200)
    expect(page.rows.map((row) => row.fields)).toEqual(
      page.rows.map((row) => byId.get(row.id)!.fields)
    )
  })

  function expectSameAnswers(queries: number, engine: QueryEngine = sharedEngine()): void {
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
    for (const colId of ['clientIp', 'resource', 'objectId', 'f:Field1', 'f:Field5', 'f:Actor']) {
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
