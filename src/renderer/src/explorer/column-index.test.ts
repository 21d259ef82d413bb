import { describe, expect, it } from 'vitest'

import { makeRecord } from '../../../shared/audit/test-records'

import { ColumnIndex, itemOf } from './column-index'
import type { ColumnStore } from './column-store'
import { ColumnIndex as LegacyIndex } from './test-support/legacy-column-index'
import { emptyQuery } from './query-types'
import { markDenseRows } from './value-rows'

describe('ColumnIndex at size', () => {
  it('searches values sealed into large chunks and keeps the time order while appending', () => {
    const index = new ColumnIndex()
    const base = Date.UTC(2026, 0, 1)
    for (let batch = 0; batch < 8; batch++) {
      const records = Array.from({ length: 5000 }, (_, i) => {
        const n = batch * 5000 + i
        return makeRecord({
          id: `id-${n}`,
          // Out of order across batches, as late blobs arrive.
          createdAtMs: base + ((n * 7919) % 40000) * 1000,
          fields: { Id: `id-${n}`, Blob: `value-${n}`, Shared: 'same' }
        })
      })
      index.append(records)
    }
    expect(index.size).toBe(40000)
    const query = { ...emptyQuery(), quickSearch: 'VALUE-39999' }
    expect(Array.from(index.run(query).rows, (r) => index.idOf(r))).toEqual(['id-39999'])
    expect(index.run({ ...emptyQuery(), quickSearch: 'value-1234' }).rows).toHaveLength(11)
    const rows = index.run(emptyQuery()).rows
    const times = Array.from(rows, (r) => Date.parse(index.valueOf(r, 'createdAt')))
    expect(times.every((t, i) => i === 0 || times[i - 1]! >= t)).toBe(true)
    expect(index.fieldKeyInfo()[0]).toEqual({ key: 'Blob', count: 40000 })
  })

  it("keeps each answer's rows intact while later filters reuse the index's buffers", () => {
    const index = new ColumnIndex()
    index.append(
      Array.from({ length: 3000 }, (_, i) =>
        makeRecord({
          id: `buf-${i}`,
          createdAtMs: Date.UTC(2026, 0, 1) + ((i * 7919) % 3000) * 1000,
          userId: `user${i % 5}@contoso.example`,
          fields: { Id: `buf-${i}`, Note: i % 4 === 0 ? 'four' : 'other' }
        })
      )
    )
    const queries = [
      emptyQuery(),
      { ...emptyQuery(), quickSearch: 'four' },
      { ...emptyQuery(), quickSearch: 'user3', sort: [{ colId: 'userId', sort: 'asc' as const }] },
      { ...emptyQuery(), facets: { userId: ['user1@contoso.example'] } },
      // Few rows: sorted by time on their own (fewByTime), from the filter's rows.
      { ...emptyQuery(), quickSearch: 'buf-12' },
      { ...emptyQuery(), quickSearch: 'buf-29' }
    ]
    const answers = queries.map((query) => index.run(query))
    const copies = answers.map((answer) => Array.from(answer.rows))
    // Each filter after the first reused the buffers of the one before: the answers are theirs.
    answers.forEach((answer, i) => expect(Array.from(answer.rows), `query ${i}`).toEqual(copies[i]))
    expect(copies.map((rows) => rows.length)).toEqual([3000, 750, 600, 600, 111, 111])
    // And each query again, from scratch or from the cache, gives the same rows.
    for (const [i, query] of [...queries.entries(), ...[...queries.entries()].reverse()]) {
      expect(Array.from(index.run(query).rows), `query ${i} again`).toEqual(copies[i])
      expect(index.stack(query, ['userId'], 'count-desc', 10).total).toBe(copies[i]!.length)
    }
  })

  it("finds dictionary-coded values through their dictionary, not the chunks' value rows", () => {
    const records = Array.from({ length: 300 }, (_, i) => {
      const userId = i % 3 === 0 ? 'Alex@Contoso.example' : 'bea@contoso.example'
      // As Purview writes them, the user again among the fields.
      const note = i % 10 === 0 ? 'for alex@contoso.example' : 'none'
      return makeRecord({
        id: `dict-${i}`,
        userId,
        clientIp: `198.51.100.${i % 7}`,
        fields: { Id: `dict-${i}`, UserId: userId, Note: note }
      })
    })
    const index = new ColumnIndex()
    index.append(records)
    index.prepareSearch(Number.POSITIVE_INFINITY)
    // The user is in no value row, even as a field (its rows are its dictionary code's); an
    // address is.
    const store = (index as unknown as { store: ColumnStore }).store
    const rowsOf = (value: string): number => {
      const made = store.madeValueRows(0)!
      const code = store.pool.find(0, value)
      expect(code).toBeGreaterThanOrEqual(0)
      // Listed, or (a value of many rows) as bits.
      const bits = new Uint8Array(300)
      markDenseRows(made, code, bits)
      return made.counts[code]! + bits.reduce((n, bit) => n + bit, 0)
    }
    expect(rowsOf('Alex@Contoso.example')).toBe(0)
    expect(rowsOf('198.51.100.3')).toBeGreaterThan(0)
    const legacy = new LegacyIndex()
    legacy.append(records)
    // (One word each: the legacy index reads a whole search as one text.)
    for (const needle of ['alex@', 'ALEX', 'bea@contoso', '100.3', 'ex@contoso', 'platform']) {
      const query = { ...emptyQuery(), quickSearch: needle }
      expect(Array.from(index.run(query).rows), needle).toEqual(Array.from(legacy.run(query).rows))
    }
    // The user's 100 rows, and the 20 others whose note names them.
    expect(index.run({ ...emptyQuery(), quickSearch: 'alex@' }).rows).toHaveLength(120)
  })

  it("serves the same rows once a chunk's dictionary-coded columns and repeated values left it", () => {
    const records = Array.from({ length: 500 }, (_, i) => {
      const userId = `user${i % 7}@contoso.example`
      const operation = i % 2 === 0 ? 'PutConnection' : 'DeleteConnection'
      // As Purview writes them: the Id, the user and the operation again among the fields
      // (the operation only in the records of one kind), and a value of the record's own.
      // Ids out of row order (so a sort by them is not the rows' order).
      const id = `kept-${(i * 7919) % 500}`
      const fields: Record<string, string> = { Id: id, UserId: userId, N: String(i % 9) }
      if (i % 3 === 0) {
        fields['Operation'] = operation
      }
      // A field holding the user in some records of its kind only: kept as it is.
      fields['Actor'] = i % 5 === 0 ? userId : 'system'
      return makeRecord({
        id,
        userId,
        operation,
        clientIp: `203.0.113.${i % 50}`,
        resource: `conn-${i % 30}`,
        fields
      })
    })
    const index = new ColumnIndex()
    index.append(records)
    const rows = Array.from({ length: records.length }, (_, row) => index.gridRow(row))
    const sorts = ['clientIp', 'f:Id', 'f:UserId', 'f:Operation', 'f:Actor', 'f:N']
    const sorted = (colId: string): number[] =>
      Array.from(index.run({ ...emptyQuery(), sort: [{ colId, sort: 'asc' }] }).rows).filter(
        (row) => row < records.length
      )
    const orders = sorts.map(sorted)
    const before = index.typedBytes()
    index.prepareSearch(Number.POSITIVE_INFINITY)
    const store = (index as unknown as { store: ColumnStore }).store
    const chunk = store.chunks[0]!
    // Twelve of the 27 slots' codes (two bytes a row) went; of the 15 kept, the six '' in every
    // row (the time's text, the resource name, the permission, the target user…) share one
    // place, and the item (the resource here) the resource's: 8 places.
    const slotAt = chunk.slotAt!
    expect(slotAt.filter((at) => at < 0)).toHaveLength(12)
    expect(new Set(slotAt.filter((at) => at >= 0)).size).toBe(8)
    expect(chunk.codes.byteLength).toBe(8 * 2 * records.length)
    // Of each record's pairs, only N and Actor keep a value: the Id, the user and the operation
    // are read from their columns.
    expect(chunk.pairValue.length).toBe(2 * records.length)
    expect(Array.from({ length: records.length }, (_, row) => index.gridRow(row))).toEqual(rows)
    expect(index.idOf(499)).toBe(`kept-${(499 * 7919) % 500}`)
    // (Made again from what is kept: the cached orders and codes go with the next chunk.)
    index.append([makeRecord({ id: 'late', clientIp: '203.0.113.7' })])
    expect(sorts.map(sorted)).toEqual(orders)
    expect(index.run({ ...emptyQuery(), quickSearch: 'user3@' }).rows).toHaveLength(71)
    expect(index.typedBytes()).toBeLessThan(before)
  })

  it('shows the resource as the item, else the object id', () => {
    expect(itemOf({ resource: 'r', objectId: 'o' })).toBe('r')
    expect(itemOf({ resource: '', objectId: 'o' })).toBe('o')
  })

  it('searches pure-ASCII pools case-insensitively, regular-expression characters taken literally', () => {
    const values = ['Alpha(1)', 'a.b*c', 'X=1+2', 'MiXeD CaSe', 'end\\slash', '[x]', 'plain']
    const records = values.map((value, i) =>
      makeRecord({ id: `ascii-${i}`, fields: { Id: `ascii-${i}`, Value: value } })
    )
    const index = new ColumnIndex()
    index.append(records)
    const legacy = new LegacyIndex()
    legacy.append(records)
    for (const needle of [
      'alpha(',
      '.',
      'b*c',
      '=1+',
      'mixed case',
      '\\',
      '[x',
      'ALPHA',
      'zz',
      '(1)'
    ]) {
      const query = { ...emptyQuery(), quickSearch: needle }
      const ids = (rows: Uint32Array, idOf: (row: number) => string): string[] =>
        Array.from(rows, idOf).sort()
      expect(
        ids(index.run(query).rows, (r) => index.idOf(r)),
        needle
      ).toEqual(ids(legacy.run(query).rows, (r) => legacy.idOf(r)))
    }
    expect(index.run({ ...emptyQuery(), quickSearch: 'b*c' }).rows).toHaveLength(1)
  })
})

describe('ColumnIndex caches', () => {
  it('keeps the ranks of every core column but those of the last eight flattened fields only', () => {
    // Twelve flattened fields, each a column the grid can sort by.
    const records = Array.from({ length: 3000 }, (_, i) =>
      makeRecord({
        id: `rec-${i}`,
        userId: `user${i % 13}@contoso.example`,
        createdAtMs: Date.UTC(2026, 4, 1) + ((i * 7919) % 3000) * 60_000,
        fields: Object.fromEntries(
          Array.from({ length: 12 }, (_, f) => [`F${f}`, `v${(i * (f + 3)) % 97}`])
        )
      })
    )
    const index = new ColumnIndex()
    index.append(records)
    const sortedBy = (colId: string): string[] =>
      Array.from(index.run({ ...emptyQuery(), sort: [{ colId, sort: 'asc' }] }).rows, (row) =>
        index.idOf(row)
      )
    const base = index.typedBytes()
    // A core column: its ranks (a byte a row: a few users), and no order of every row (a
    // column of so few values is sorted by a counting sort of its ranks on each query).
    const byUser = sortedBy('userId')
    const core = 1 * records.length
    expect(index.typedBytes() - base).toBe(core)
    // A field column: its ranks (97 values: a byte a row) and its codes per row.
    const perField = (1 + 4) * records.length
    const first = sortedBy('f:F0')
    expect(index.typedBytes() - base).toBe(core + perField)
    for (let f = 1; f < 12; f++) {
      sortedBy(`f:F${f}`)
    }
    expect(index.typedBytes() - base).toBe(core + 8 * perField)
    // The first field's were dropped, the user column's kept; both sort the same again.
    expect(sortedBy('f:F0')).toEqual(first)
    expect(sortedBy('userId')).toEqual(byUser)
    expect(index.typedBytes() - base).toBe(core + 8 * perField)
  })

  it('sorts by ranks exactly as through the permutation, and keeps one only past 65,535 values', () => {
    // 70,000 records: the id-like field has a value per record (ranks of four bytes a row), the
    // user column 40 (a byte a row); a third of the rows tie on each user.
    const records = Array.from({ length: 70_000 }, (_, i) =>
      makeRecord({
        id: `rec-${i}`,
        userId: `user${(i * 7) % 40}@contoso.example`,
        createdAtMs: Date.UTC(2026, 4, 1) + ((i * 7919) % 70_000) * 1000,
        fields: { Key: `key-${(i * 31) % 70_000}`, Half: i % 2 === 0 ? 'even' : 'odd' }
      })
    )
    const index = new ColumnIndex()
    index.append(records)
    // The rows of a query walked along the column's permutation, backwards for 'desc': how
    // every single-column sort was answered before.
    const walked = (colId: string, sort: 'asc' | 'desc', keep: Set<number>): number[] => {
      const perm = Array.from(index.permutation(colId))
      return (sort === 'asc' ? perm : perm.reverse()).filter((row) => keep.has(row))
    }
    for (const quickSearch of ['', 'even']) {
      const keep = new Set(index.run({ ...emptyQuery(), quickSearch }).rows)
      for (const colId of ['userId', 'f:Key']) {
        for (const sort of ['asc', 'desc'] as const) {
          const rows = index.run({ ...emptyQuery(), quickSearch, sort: [{ colId, sort }] }).rows
          const before = index.typedBytes()
          expect(Array.from(rows), `${colId} ${sort} '${quickSearch}'`).toEqual(
            walked(colId, sort, keep)
          )
          // Asking for the permutation kept one only for the column of 70,000 values (made
          // by the query already); the user column's is made again each time it is asked for.
          expect(index.typedBytes() - before, colId).toBe(0)
        }
      }
    }
    // Kept: the field's permutation (4 bytes a row) besides its ranks and codes; the user
    // column's ranks only.
    const fresh = new ColumnIndex()
    fresh.append(records)
    const base = fresh.typedBytes()
    fresh.run({ ...emptyQuery(), sort: [{ colId: 'userId', sort: 'desc' }] })
    expect(fresh.typedBytes() - base).toBe(records.length)
    fresh.run({ ...emptyQuery(), sort: [{ colId: 'f:Key', sort: 'asc' }] })
    expect(fresh.typedBytes() - base).toBe(records.length * (1 + 4 + 4 + 4))
  })
})
