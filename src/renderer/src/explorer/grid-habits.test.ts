/**
 * The grid habits computed by the query worker over the columnar index: stacking, multi-column
 * sort, the search syntax as a filter or a highlight, and colour rules — on crafted records.
 */
import { describe, expect, it } from 'vitest'

import type { AppDb } from '../db/app-db'

import { makeRecord } from '../../../shared/audit/test-records'

import { orderByKeys, textRanks } from './column-ranks'
import { ColumnIndex } from './column-index'
import { dateBucketColumn } from './date-buckets'
import { QueryEngine } from './query-engine'
import { emptyQuery, type ExplorerQuery } from './query-types'
import { bindSearch, searchNames } from './search-columns'
import { explorerColumns } from './explorer-columns'

const T0 = Date.UTC(2026, 4, 1)

/** Ten records: who did what, from where, when (minute i). */
function crafted(): ColumnIndex {
  const rows: [string, string, string, string][] = [
    // userId, operation, environment, clientIp
    ['alice@contoso.example', 'PutConnection', 'env-prod', '10.0.0.1'],
    ['bob@contoso.example', 'DeleteConnection', 'env-prod', '10.0.0.2'],
    ['alice@contoso.example', 'DeleteConnection', 'env-dev', '10.0.0.1'],
    ['carol@contoso.example', 'PutConnection', 'env-prod', '10.0.0.3'],
    ['alice@contoso.example', 'PutConnection', 'env-prod', '10.0.0.1'],
    ['bob@contoso.example', 'PatchApi', 'env-dev', '203.0.113.9'],
    ['svc-sync@contoso.example', 'PutConnection', '', '10.0.0.4'],
    ['alice@contoso.example', 'PatchApi', 'env-prod', '10.0.0.1'],
    ['bob@contoso.example', 'PutConnection', 'env-dev', '10.0.0.2'],
    ['carol@contoso.example', 'DeleteConnection', 'env-prod', '10.0.0.3']
  ]
  const index = new ColumnIndex()
  index.append(
    rows.map(([userId, operation, environment, clientIp], i) =>
      makeRecord({
        id: `rec-${i}`,
        createdAtMs: T0 + i * 60_000,
        userId,
        operation,
        action: operation,
        environment,
        clientIp
      })
    )
  )
  return index
}

const q = (over: Partial<ExplorerQuery> = {}): ExplorerQuery => ({ ...emptyQuery(), ...over })
const ids = (index: ColumnIndex, query: ExplorerQuery): string[] =>
  Array.from(index.run(query).rows, (row) => index.idOf(row))

describe('stacking in the worker', () => {
  it('counts one column over the rows the query shows: value, count, share, most frequent first', () => {
    const index = crafted()
    const stack = index.stack(q(), ['operation'], 'count-desc', 100)
    expect(stack.total).toBe(10)
    expect(stack.distinct).toBe(3)
    expect(stack.entries).toEqual([
      { values: ['PutConnection'], count: 5, share: 0.5 },
      { values: ['DeleteConnection'], count: 3, share: 0.3 },
      { values: ['PatchApi'], count: 2, share: 0.2 }
    ])
    // The stack follows the filters: only alice's rows.
    const alice = index.stack(q({ quickSearch: 'userId:alice' }), ['operation'], 'count-asc', 100)
    expect(alice.total).toBe(4)
    expect(alice.entries.map((e) => [e.values[0], e.count])).toEqual([
      ['DeleteConnection', 1],
      ['PatchApi', 1],
      ['PutConnection', 2]
    ])
  })

  it('counts pairs of two columns, empty cells as (empty), sorted by value either way, truncated to the limit', () => {
    const index = crafted()
    const pairs = index.stack(q(), ['environment', 'operation'], 'value-asc', 100)
    expect(pairs.distinct).toBe(7)
    expect(pairs.entries[0]).toEqual({
      values: ['(empty)', 'PutConnection'],
      count: 1,
      share: 0.1
    })
    expect(pairs.entries.map((e) => e.values.join('|'))).toEqual([
      '(empty)|PutConnection',
      'env-dev|DeleteConnection',
      'env-dev|PatchApi',
      'env-dev|PutConnection',
      'env-prod|DeleteConnection',
      'env-prod|PatchApi',
      'env-prod|PutConnection'
    ])
    expect(pairs.entries.reduce((sum, e) => sum + e.count, 0)).toBe(10)
    const top = index.stack(q(), ['environment', 'operation'], 'count-desc', 2)
    expect(top.isTruncated).toBe(true)
    expect(top.entries).toEqual([
      { values: ['env-prod', 'PutConnection'], count: 3, share: 0.3 },
      { values: ['env-prod', 'DeleteConnection'], count: 2, share: 0.2 }
    ])
    const desc = index.stack(q(), ['environment'], 'value-desc', 100)
    expect(desc.entries.map((e) => e.values[0])).toEqual(['env-prod', 'env-dev', '(empty)'])
  })

  it('counts high-cardinality pool columns and flattened fields by value', () => {
    const index = crafted()
    const ips = index.stack(q(), ['clientIp'], 'count-desc', 100)
    expect(ips.entries[0]).toEqual({ values: ['10.0.0.1'], count: 4, share: 0.4 })
    const field = index.stack(q(), ['f:ClientIP'], 'count-desc', 1)
    expect(field.entries).toEqual([{ values: ['10.0.0.1'], count: 4, share: 0.4 }])
  })
})

describe('stacking by the date, finding and paging in the stack', () => {
  it('stacks by day or hour, alone or with another column, in calendar order', () => {
    const index = new ColumnIndex()
    const at = [
      Date.UTC(2026, 4, 1, 9, 5),
      Date.UTC(2026, 4, 1, 9, 55),
      Date.UTC(2026, 4, 1, 17, 0),
      Date.UTC(2026, 4, 2, 8, 30),
      Date.UTC(2026, 4, 3, 23, 59)
    ]
    index.append(
      at.map((createdAtMs, i) =>
        makeRecord({
          id: `d-${i}`,
          createdAtMs,
          operation: i % 2 ? 'DeleteConnection' : 'PutConnection'
        })
      )
    )
    const byDay = index.stack(q(), [dateBucketColumn('day', 'utc')], 'value-asc', 100)
    expect(byDay.entries.map((e) => [e.values[0], e.count])).toEqual([
      ['2026-05-01', 3],
      ['2026-05-02', 1],
      ['2026-05-03', 1]
    ])
    const byHour = index.stack(q(), [dateBucketColumn('hour', 'utc')], 'count-desc', 100)
    expect(byHour.entries[0]).toEqual({ values: ['2026-05-01 09:00'], count: 2, share: 0.4 })
    expect(byHour.distinct).toBe(4)
    const pairs = index.stack(q(), [dateBucketColumn('day', 'utc'), 'operation'], 'value-asc', 100)
    expect(pairs.entries.map((e) => e.values.join('|'))).toEqual([
      '2026-05-01|DeleteConnection',
      '2026-05-01|PutConnection',
      '2026-05-02|DeleteConnection',
      '2026-05-03|PutConnection'
    ])
    // The stack follows the range like any other filter.
    const range = index.stack(
      q({ fromMs: Date.UTC(2026, 4, 2), toMs: Date.UTC(2026, 4, 4) }),
      [dateBucketColumn('day', 'utc')],
      'value-asc',
      100
    )
    expect(range.entries.map((e) => e.values[0])).toEqual(['2026-05-02', '2026-05-03'])
  })

  it('finds entries by text and pages through them, saying how many match in all', () => {
    const index = crafted()
    const all = index.stack(q(), ['userId'], 'value-asc', 2)
    expect(all).toMatchObject({ distinct: 4, matching: 4, offset: 0, isTruncated: true })
    expect(all.entries.map((e) => e.values[0])).toEqual([
      'alice@contoso.example',
      'bob@contoso.example'
    ])
    const next = index.stack(q(), ['userId'], 'value-asc', 2, { offset: 2 })
    expect(next.entries.map((e) => e.values[0])).toEqual([
      'carol@contoso.example',
      'svc-sync@contoso.example'
    ])
    const desc = index.stack(q(), ['userId'], 'value-desc', 3, { offset: 1 })
    expect(desc.entries.map((e) => e.values[0])).toEqual([
      'carol@contoso.example',
      'bob@contoso.example',
      'alice@contoso.example'
    ])
    const byCount = index.stack(q(), ['userId'], 'count-desc', 1, { offset: 1 })
    expect(byCount.entries).toEqual([{ values: ['bob@contoso.example'], count: 3, share: 0.3 }])
    // Find is any-case, over either column of a pair; shares stay shares of every row.
    const found = index.stack(q(), ['userId', 'operation'], 'count-desc', 100, { find: 'PATCH' })
    expect(found).toMatchObject({ distinct: 9, matching: 2, isTruncated: false })
    expect(found.entries.map((e) => [e.values.join('|'), e.share])).toEqual([
      ['alice@contoso.example|PatchApi', 0.1],
      ['bob@contoso.example|PatchApi', 0.1]
    ])
    const none = index.stack(q(), ['userId'], 'count-desc', 100, { find: 'nobody' })
    expect(none).toMatchObject({ matching: 0, entries: [], isTruncated: false })
  })
})

describe('multi-column sort in the worker', () => {
  it('orders by the first key, then the next ones, over every row', () => {
    const index = crafted()
    const rows = ids(
      index,
      q({
        sort: [
          { colId: 'userId', sort: 'asc' },
          { colId: 'createdAt', sort: 'desc' }
        ]
      })
    )
    expect(rows).toEqual([
      'rec-7',
      'rec-4',
      'rec-2',
      'rec-0',
      'rec-8',
      'rec-5',
      'rec-1',
      'rec-9',
      'rec-3',
      'rec-6'
    ])
    const byOp = ids(
      index,
      q({
        quickSearch: '-userId:svc',
        sort: [
          { colId: 'operation', sort: 'desc' },
          { colId: 'clientIp', sort: 'asc' },
          { colId: 'createdAt', sort: 'asc' }
        ]
      })
    )
    expect(byOp).toEqual([
      'rec-0',
      'rec-4',
      'rec-8',
      'rec-3',
      'rec-7',
      'rec-5',
      'rec-2',
      'rec-1',
      'rec-9'
    ])
  })

  it('orderByKeys is stable and sorts descending keys in reverse value order', () => {
    const values = ['b', 'a', 'b', 'c', 'a']
    const column = textRanks(values.length, (row) => values[row]!)
    const rows = Uint32Array.from([0, 1, 2, 3, 4])
    expect(Array.from(orderByKeys(rows, [{ column, isDescending: false }]))).toEqual([
      1, 4, 0, 2, 3
    ])
    expect(Array.from(orderByKeys(rows, [{ column, isDescending: true }]))).toEqual([3, 0, 2, 1, 4])
  })
})

describe('search syntax in the worker', () => {
  it('filters by Column:term, quoted phrases, -term and OR', () => {
    const index = crafted()
    const asc = { sort: [{ colId: 'createdAt', sort: 'asc' as const }] }
    expect(ids(index, q({ ...asc, quickSearch: 'User:bob Operation:Delete' }))).toEqual(['rec-1'])
    expect(ids(index, q({ ...asc, quickSearch: 'alice -PutConnection' }))).toEqual([
      'rec-2',
      'rec-7'
    ])
    expect(ids(index, q({ ...asc, quickSearch: 'ClientIP:203.0 OR userId:svc' }))).toEqual([
      'rec-5',
      'rec-6'
    ])
    expect(ids(index, q({ ...asc, quickSearch: '"carol@contoso.example" env-prod' }))).toEqual([
      'rec-3',
      'rec-9'
    ])
    // Field names of the record name columns too.
    expect(ids(index, q({ ...asc, quickSearch: 'AdditionalInfo.EnvironmentName:dev' }))).toEqual([
      'rec-2',
      'rec-5',
      'rec-8'
    ])
  })

  it('refuses a search that does not parse, or names no column, with the reason', () => {
    const index = crafted()
    expect(() => index.run(q({ quickSearch: 'User:"bob' }))).toThrow(
      'search: unterminated quoted phrase: add the closing " (at 6)'
    )
    expect(() => index.run(q({ quickSearch: 'Nope:x' }))).toThrow('no column "Nope"')
    const names = searchNames(explorerColumns(['AdditionalInfo.ActionName']))
    expect(bindSearch('IPaddress:10 UserType:admin ActionName:x', names)).toMatchObject({
      ok: false,
      error: { position: 28 }
    })
    expect(
      bindSearch('IPaddress:10 -UserType:admin OR AdditionalInfo.ActionName:x', names)
    ).toEqual({
      ok: true,
      search: [
        [
          { colId: 'clientIp', text: '10', isNegated: false },
          { colId: 'userTypeLabel', text: 'admin', isNegated: true }
        ],
        [{ colId: 'f:AdditionalInfo.ActionName', text: 'x', isNegated: false }]
      ]
    })
  })
})

/** An engine over the crafted index without a database (rows and summaries read only the index). */
function engineOf(index: ColumnIndex): QueryEngine {
  const engine = new QueryEngine({} as AppDb)
  Object.defineProperty(engine, 'index', { value: index })
  return engine
}

describe('highlight mode and colour rules', () => {
  it('highlight mode keeps every row, marks the matching ones and counts them', () => {
    const engine = engineOf(crafted())
    const query = q({ quickSearch: 'Operation:Delete', searchMode: 'highlight' })
    const summary = engine.summary(query)
    expect(summary.total).toBe(10)
    expect(summary.searchHits).toBe(3)
    const page = engine.rows(query, 0, 10)
    expect(page.rows.filter((r) => r.marks?.searchHit).map((r) => r.id)).toEqual([
      'rec-9',
      'rec-2',
      'rec-1'
    ])
    // Filter mode keeps only the matching rows and counts nothing extra.
    const filtered = engine.summary({ ...query, searchMode: 'filter' })
    expect(filtered.total).toBe(3)
    expect(filtered.searchHits).toBeUndefined()
  })

  it('colours rows by the first matching rule; a broken rule colours nothing', () => {
    const engine = engineOf(crafted())
    const query = q({
      sort: [{ colId: 'createdAt', sort: 'asc' }],
      colourRules: [
        { search: 'Operation:Delete', colour: 'red' },
        { search: 'alice', colour: 'blue' },
        { search: 'Nope:x', colour: 'green' }
      ]
    })
    const colours = engine.rows(query, 0, 10).rows.map((r) => r.marks?.colour ?? '-')
    expect(colours).toEqual(['blue', 'red', 'red', '-', 'blue', '-', '-', 'blue', '-', 'red'])
    // Rules do not change which rows show.
    expect(engine.summary(query).total).toBe(10)
    expect(engine.rows(q(), 0, 1).rows[0]!.marks).toBeUndefined()
  })
})
