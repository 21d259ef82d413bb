/**
 * Lean grid rows: a page asked for with the grid's shown columns carries only their values, while
 * the order, the marks (colour rules, search highlight) and full rows for exports stay as before.
 */
import { describe, expect, it } from 'vitest'

import { makeRecord } from '../../../shared/audit/test-records'
import type { AppDb } from '../db/app-db'

import { ColumnIndex } from './column-index'
import { explorerColumns } from './explorer-columns'
import { QueryEngine } from './query-engine'
import { emptyQuery, type ExplorerQuery } from './query-types'
import { rowColumnsOf } from './row-columns'

const T0 = Date.UTC(2026, 4, 1)

/** Six records; every other one carries the flattened field `Policy.Name` = `block-http`. */
function engine(): QueryEngine {
  const index = new ColumnIndex()
  index.append(
    Array.from({ length: 6 }, (_, i) =>
      makeRecord({
        id: `rec-${i}`,
        createdAtMs: T0 + i * 60_000,
        userId: `user${i}@contoso.example`,
        operation: i % 3 === 0 ? 'DeleteConnection' : 'PutConnection',
        resource: i === 4 ? '' : `conn-${i}`,
        objectId: `obj-${i}`,
        fields: {
          Id: `rec-${i}`,
          UserId: `user${i}@contoso.example`,
          ...(i % 2 === 0 ? { 'Policy.Name': 'block-http' } : { 'Other.Key': `v${i}` })
        }
      })
    )
  )
  index.setTags([[index.rowsOfIds(['rec-2']).get('rec-2')!, ['suspicious']]])
  const queryEngine = new QueryEngine({} as AppDb)
  Object.defineProperty(queryEngine, 'index', { value: index })
  return queryEngine
}

const q = (over: Partial<ExplorerQuery> = {}): ExplorerQuery => ({
  ...emptyQuery(),
  sort: [{ colId: 'createdAt', sort: 'asc' }],
  ...over
})

describe('rowColumnsOf', () => {
  it('maps grid columns to the stored values they read', () => {
    const want = rowColumnsOf(['createdAt', 'userId', 'item', 'f:Policy.Name', 'tags', 'nope'])
    expect([...want.text].sort()).toEqual(['id', 'objectId', 'resource', 'userId'])
    expect([...want.fields]).toEqual(['Policy.Name'])
    expect(want.tags).toBe(true)
    expect(rowColumnsOf([]).tags).toBe(false)
  })
})

describe('lean grid rows', () => {
  it('carry the Id, the time and only the values of the columns asked for', () => {
    const page = engine().rows(q(), 0, 6, ['createdAt', 'userId', 'item'])
    expect(page.total).toBe(6)
    const row = page.rows[4]!
    expect(row.id).toBe('rec-4')
    expect(row.createdAtMs).toBe(T0 + 4 * 60_000)
    expect(row.userId).toBe('user4@contoso.example')
    // The Item column falls back to the object id when there is no resource.
    expect(row.resource).toBe('')
    expect(row.objectId).toBe('obj-4')
    expect(row.operation).toBe('')
    expect(row.clientIp).toBe('')
    expect(row.fields).toEqual({})
    expect(row.tags).toEqual([])
  })

  it('give every shown column the same text as a full row', () => {
    const full = engine().rows(q(), 0, 6)
    const colIds = ['createdAt', 'operation', 'item', 'tags', 'f:Policy.Name', 'f:Other.Key']
    const lean = engine().rows(q(), 0, 6, colIds)
    const columns = explorerColumns(['Policy.Name', 'Other.Key']).filter((c) =>
      colIds.includes(c.colId)
    )
    expect(columns).toHaveLength(colIds.length)
    const texts = (rows: typeof full.rows): string[][] =>
      rows.map((row) => columns.map((c) => c.text(row, 'utc')))
    expect(texts(lean.rows)).toEqual(texts(full.rows))
    expect(texts(lean.rows)[2]).toContain('suspicious')
    expect(lean.rows[0]!.fields).toEqual({ 'Policy.Name': 'block-http' })
    expect(lean.rows[1]!.fields).toEqual({ 'Other.Key': 'v1' })
  })

  it('are coloured by rules on columns and fields they do not carry', () => {
    const query = q({
      colourRules: [
        { search: 'Policy.Name:block', colour: 'red' },
        { search: 'Operation:Delete', colour: 'blue' }
      ]
    })
    const page = engine().rows(query, 0, 6, ['createdAt', 'userId'])
    expect(page.rows.map((r) => r.marks?.colour ?? '-')).toEqual([
      'red',
      '-',
      'red',
      'blue',
      'red',
      '-'
    ])
    expect(page.rows.every((r) => r.operation === '' && Object.keys(r.fields).length === 0)).toBe(
      true
    )
  })

  it('are marked by a highlight search on a field they do not carry', () => {
    const page = engine().rows(q({ quickSearch: 'Other.Key:v3', searchMode: 'highlight' }), 0, 6, [
      'createdAt'
    ])
    expect(page.rows.filter((r) => r.marks?.searchHit).map((r) => r.id)).toEqual(['rec-3'])
  })

  it('without columns, pages stay whole records (exports read every value)', () => {
    const row = engine().rows(q(), 2, 3).rows[0]!
    expect(row.operation).toBe('PutConnection')
    expect(row.clientIp).toBe('203.0.113.7')
    expect(row.fields).toEqual({
      Id: 'rec-2',
      UserId: 'user2@contoso.example',
      'Policy.Name': 'block-http'
    })
    expect(row.tags).toEqual(['suspicious'])
  })
})
