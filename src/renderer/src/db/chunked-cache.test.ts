import { Dexie } from 'dexie'
import { IDBKeyRange, indexedDB } from 'fake-indexeddb'
import { afterEach, describe, expect, it } from 'vitest'

import { QueryEngine } from '../explorer/query-engine'
import { emptyQuery } from '../explorer/query-types'
import { makeRecord } from '../../../shared/audit/test-records'
import type { LedgerWindow } from '../../../shared/acquisition'
import type { NormalizedRecord } from '../../../shared/audit'

import { packRecords } from '../../../shared/cache/packed-chunk'

import { AppDb } from './app-db'

import { CHUNK_MAX_RECORDS, encodeChunk } from './record-chunk'

const open: Dexie[] = []

/** A packed chunk as the browser shell's page receives it (a Blob). */
function blobOf(bytes: Uint8Array): Blob {
  return new Blob([bytes as Uint8Array<ArrayBuffer>])
}

function track<T extends Dexie>(db: T): T {
  open.push(db)
  return db
}
afterEach(() => {
  open.splice(0).forEach((db) => db.close())
})

function newName(): string {
  return `chunked-${Math.random()}`
}

function appDb(name: string): AppDb {
  return track(new AppDb(name, { indexedDB, IDBKeyRange }))
}

function many(n: number, prefix: string): NormalizedRecord[] {
  return Array.from({ length: n }, (_, i) =>
    makeRecord({
      id: `${prefix}-${i}`,
      createdAtMs: Date.UTC(2026, 4, 1) + i * 1000,
      warnings: i % 97 === 0 ? ['repeated key: Foo'] : [],
      raw: `{"Id":"${prefix}-${i}","Note":"caf\u00e9 \\u00e9 ${i}"}`,
      provenance:
        i % 5 === 0
          ? { source: 'f.csv', line: i + 2, rawSha256: null, csvCreationDate: null }
          : null
    })
  )
}

/** The stores of the first release, as users' databases were created with them. */
const V1_STORES = {
  records: 'id, &seq, createdAtMs, organizationId, operation',
  duplicates: 'id',
  windows: 'key, tenantId, status',
  blobs: 'key, tenantId, status',
  queries: 'key, tenantId, status',
  savedFilters: 'id, &name, updatedAt',
  annotations: 'id, *tags, updatedAt',
  settings: 'key, profileId'
}

/** Writes a v1 database (one row per record, today's layout) the way the first release did. */
async function writeV1(name: string, records: NormalizedRecord[]): Promise<void> {
  const v1 = track(new Dexie(name, { indexedDB, IDBKeyRange }))
  v1.version(1).stores(V1_STORES)
  await v1.table('records').bulkAdd(records.map((r, i) => ({ ...r, seq: i + 1 })))
  await v1.table('duplicates').bulkAdd([{ id: records[3]!.id, count: 2 }])
  await v1
    .table('annotations')
    .bulkAdd([
      { id: records[5]!.id, tags: ['reviewed'], comment: 'ok', updatedAt: '2026-05-01T00:00:00Z' }
    ])
  await v1
    .table('windows')
    .bulkAdd([{ key: 'w1', tenantId: 't', status: 'complete', entry: { key: 'w1' } }])
  v1.close()
}

/**
 * Writes a v2 database (chunks, with one duplicates row per repeated Id) the way the v2 releases
 * did: AppDb's own v1/v2 schema and encoding, then the legacy per-Id duplicate rows.
 */
async function writeV2(
  name: string,
  records: NormalizedRecord[],
  duplicates: Array<{ id: string; count: number }>
): Promise<void> {
  const v2 = track(new Dexie(name, { indexedDB, IDBKeyRange }))
  v2.version(1).stores(V1_STORES)
  v2.version(2).stores({ records: null, columns: 'n', bodies: 'n', chunkIds: 'n', meta: 'key' })
  let rows = 0
  let n = 0
  for (let i = 0; i < records.length; i += CHUNK_MAX_RECORDS) {
    const chunk = encodeChunk(records.slice(i, i + CHUNK_MAX_RECORDS))
    await v2.table('columns').add({ ...chunk.columns, n, firstRow: rows })
    await v2.table('bodies').add({ ...chunk.body, n })
    await v2.table('chunkIds').add({ ...chunk.ids, n, firstRow: rows })
    rows += chunk.columns.count
    n++
  }
  await v2.table('meta').put({ key: 'records', chunks: n, rows, epoch: 'e1' })
  await v2.table('duplicates').bulkAdd(duplicates)
  v2.close()
}

describe('the chunked cache', () => {
  it('migrates a populated v1 database: every record, duplicate count and annotation kept', async () => {
    const name = newName()
    const records = many(CHUNK_MAX_RECORDS + 321, 'v1')
    await writeV1(name, records)
    const db = appDb(name)
    expect(await db.countRecords()).toBe(records.length)
    expect((await db.cacheMeta()).chunks).toBe(2)
    expect(await db.getRecord(records[0]!.id)).toEqual({ ...records[0], seq: 1 })
    expect(await db.getRecord(records[CHUNK_MAX_RECORDS + 10]!.id)).toEqual({
      ...records[CHUNK_MAX_RECORDS + 10],
      seq: CHUNK_MAX_RECORDS + 11
    })
    expect(await db.countDuplicates()).toBe(2)
    expect(await db.duplicateCount(records[3]!.id)).toBe(2)
    expect(await db.annotation(records[5]!.id)).toMatchObject({ tags: ['reviewed'], comment: 'ok' })
    expect((await db.ledger('windows', 't'))[0]?.key).toBe('w1')
    // Every record byte for byte, in the old order.
    const back = await db.recordsAfter(0, records.length + 10)
    expect(back.map((row) => row.raw)).toEqual(records.map((r) => r.raw))
    expect(back.map((row) => row.seq)).toEqual(records.map((_, i) => i + 1))
    // The explorer reads the migrated cache, tags included.
    const engine = new QueryEngine(db)
    await engine.load()
    expect(engine.index.size).toBe(records.length)
    expect(engine.ids({ ...emptyQuery(), tags: ['reviewed'] })).toEqual([records[5]!.id])
    // And a repeat of a migrated record is a duplicate, not a second copy.
    expect(await db.commitBatch([records[7]!, makeRecord({ id: 'after-migration' })])).toEqual({
      new: 1,
      duplicates: 1
    })
  })

  it('migrates a populated v2 database: per-Id duplicate counts become per-chunk counts, total kept', async () => {
    const name = newName()
    const records = many(CHUNK_MAX_RECORDS * 2 + 17, 'v2')
    const last = records[records.length - 1]!
    await writeV2(name, records, [
      { id: records[0]!.id, count: 3 },
      { id: records[CHUNK_MAX_RECORDS + 1]!.id, count: 1 },
      { id: last.id, count: 2 },
      // A count whose record is not cached (should not exist): still in the total.
      { id: 'gone', count: 4 }
    ])
    const db = appDb(name)
    expect(await db.countRecords()).toBe(records.length)
    expect(await db.countDuplicates()).toBe(10)
    expect(await db.duplicateCount(records[0]!.id)).toBe(3)
    expect(await db.duplicateCount(records[CHUNK_MAX_RECORDS + 1]!.id)).toBe(1)
    expect(await db.duplicateCount(last.id)).toBe(2)
    expect(await db.duplicateCount(records[1]!.id)).toBe(0)
    expect(await db.chunkDuplicates.count()).toBe(3)
    expect(db.tables.map((t) => t.name)).not.toContain('duplicates')
    // Counting goes on from the migrated figures.
    expect(await db.commitBatch([records[0]!, last, makeRecord({ id: 'new-one' })])).toEqual({
      new: 1,
      duplicates: 2
    })
    expect(await db.duplicateCount(records[0]!.id)).toBe(4)
    expect(await db.countDuplicates()).toBe(12)
    expect((await db.getRecord(last.id))?.raw).toBe(last.raw)
  })

  it('dedupes exactly across chunks and across restarts', async () => {
    const name = newName()
    const first = many(CHUNK_MAX_RECORDS * 2 + 5, 'a')
    const db = appDb(name)
    expect(await db.commitBatch(first)).toEqual({ new: first.length, duplicates: 0 })
    expect((await db.cacheMeta()).chunks).toBe(3)
    // Repeats from the first and last chunk, plus new ones, in one batch.
    const again = [first[0]!, first[first.length - 1]!, ...many(10, 'b')]
    expect(await db.commitBatch(again)).toEqual({ new: 10, duplicates: 2 })
    db.close()

    const restarted = appDb(name)
    expect(await restarted.commitBatch([first[CHUNK_MAX_RECORDS]!, ...many(12, 'b')])).toEqual({
      new: 2,
      duplicates: 11
    })
    expect(await restarted.countRecords()).toBe(first.length + 12)
    expect(await restarted.duplicateCount(first[0]!.id)).toBe(1)
    expect(await restarted.duplicateCount(first[CHUNK_MAX_RECORDS]!.id)).toBe(1)
    expect(await restarted.duplicateCount('b-3')).toBe(1)
    expect(await restarted.duplicateCount('b-11')).toBe(0)
    expect(await restarted.duplicateCount(first[1]!.id)).toBe(0)
    expect(await restarted.countDuplicates()).toBe(13)
    expect(await restarted.getRecord('b-11')).toMatchObject({
      id: 'b-11',
      raw: many(12, 'b')[11]!.raw
    })
    expect(await restarted.getRecord('nope')).toBeUndefined()
  })

  it('keeps two windows writing at once exact (the second writer looks again)', async () => {
    const name = newName()
    const one = appDb(name)
    const two = appDb(name)
    await one.commitBatch(many(50, 'x'))
    // `two` has not seen x-*: it must learn them before writing.
    expect(await two.commitBatch([...many(60, 'x')])).toEqual({ new: 10, duplicates: 50 })
    const both = await Promise.all([one.commitBatch(many(80, 'y')), two.commitBatch(many(80, 'y'))])
    expect(both.map((r) => r.new).sort()).toEqual([0, 80])
    expect(await one.countRecords()).toBe(140)
  })

  it('notices another window cleared and refilled the cache, and stores nothing as a false repeat', async () => {
    const name = newName()
    const one = appDb(name)
    const two = appDb(name)
    const first = many(30, 'e')
    await one.commitBatch(first)
    await two.clearRecords()
    await two.commitBatch(many(30, 'f'))
    // `one` still remembers e-*: same number of chunks, but a new cache.
    expect(await one.commitBatch(first)).toEqual({ new: 30, duplicates: 0 })
    expect(await one.countRecords()).toBe(60)
  })

  it('leaves a consistent cache when a commit fails midway, and the next ingest completes it', async () => {
    const name = newName()
    const db = appDb(name)
    const records = many(900, 'c')
    const window = (i: number): LedgerWindow =>
      ({ key: `w${i}`, tenantId: 't', status: 'complete' }) as unknown as LedgerWindow
    await db.commitBatch(records.slice(0, 300), { windows: [window(1)] })
    // The third write of the transaction fails (a crash, a full disk): nothing of it may stay.
    const original = db.chunkDuplicates.bulkPut.bind(db.chunkDuplicates)
    db.chunkDuplicates.bulkPut = (() => Promise.reject(new Error('disk went away'))) as never
    await expect(
      db.commitBatch([...records.slice(300, 600), records[0]!], { windows: [window(2)] })
    ).rejects.toThrow('disk went away')
    db.chunkDuplicates.bulkPut = original
    expect(await db.countRecords()).toBe(300)
    expect((await db.cacheMeta()).chunks).toBe(1)
    expect(await db.columns.count()).toBe(1)
    expect(await db.bodies.count()).toBe(1)
    expect(await db.ledger('windows')).toHaveLength(1)
    expect(await db.getRecord(records[400]!.id)).toBeUndefined()
    db.close()

    // The app restarts (a reload) and the sync resumes from the ledger: batch 2 comes again.
    const resumed = appDb(name)
    expect(
      await resumed.commitBatch([...records.slice(300, 600), records[0]!], { windows: [window(2)] })
    ).toEqual({ new: 300, duplicates: 1 })
    expect(await resumed.commitBatch(records.slice(600), { windows: [window(3)] })).toEqual({
      new: 300,
      duplicates: 0
    })
    const engine = new QueryEngine(resumed)
    await engine.load()
    expect(new Set(engine.ids(emptyQuery()))).toEqual(new Set(records.map((r) => r.id)))
    expect(await resumed.ledger('windows')).toHaveLength(3)
  })

  it('clears everything on reset and starts numbering again', async () => {
    const db = appDb(newName())
    await db.commitBatch(many(20, 'r'))
    await db.reset()
    expect(await db.countRecords()).toBe(0)
    expect(await db.commitBatch(many(5, 'r'))).toEqual({ new: 5, duplicates: 0 })
    expect((await db.cacheMeta()).rows).toBe(5)
  })
})

describe('packed batches (the hand-over of sync and imports)', () => {
  it('store what main packed, collapsing Ids already cached or repeated, across restarts', async () => {
    const name = newName()
    const first = appDb(name)
    const records = many(5000, 'p')
    expect(await first.commitPacked(packRecords(records.slice(0, 3000)))).toEqual({
      new: 3000,
      duplicates: 0
    })
    first.close()
    const again = appDb(name)
    // 2,000 already cached, one repeated inside the batch, 2,000 new.
    const batch = [...records.slice(1000, 5000), records[4500]!]
    expect(await again.commitPacked(packRecords(batch))).toEqual({ new: 2000, duplicates: 2001 })
    expect(await again.countRecords()).toBe(5000)
    const back = await again.recordsAfter(0, 10_000)
    expect(back.map((r) => r.id)).toEqual(records.map((r) => r.id))
    expect(back[4321]).toEqual({ ...records[4321], seq: 4322 })
    expect((await again.getRecord('p-4500'))?.raw).toBe(records[4500]!.raw)
  })

  it('leave out the rows main marked as repeats, without counting them', async () => {
    const db = appDb(newName())
    const records = many(10, 's')
    const packed = packRecords([...records.slice(0, 6), records[2]!, ...records.slice(6)])
    expect(await db.commitPacked(packed, {}, [], [6, 1])).toEqual({ new: 9, duplicates: 0 })
    const back = await db.recordsAfter(0, 100)
    expect(back.map((r) => r.id)).toEqual(records.filter((_, i) => i !== 1).map((r) => r.id))
    expect(await db.countDuplicates()).toBe(0)
  })

  it('refuse a damaged packed chunk and store nothing of its batch', async () => {
    const db = appDb(newName())
    const good = packRecords(many(10, 'g'))
    await expect(db.commitPacked([...good, new Uint8Array(16)])).rejects.toThrow(/packed chunk/)
    expect(await db.countRecords()).toBe(0)
  })

  it('read back identical a cache mixing every body layout: per record, one text, bytes, blob', async () => {
    const name = newName()
    const db = appDb(name)
    // Chunk 0 in the first chunked layout (one string and one provenance per record), chunk 1
    // in the text layout (commitBatch encodes in the window), chunk 2 as main packed it (bytes),
    // chunk 3 as the browser shell's page receives it (a Blob, one repeat inside the batch).
    const old = many(700, 'old')
    const text = many(600, 'text')
    const bytes = many(500, 'bytes')
    const blob = many(400, 'blob')
    await db.commitBatch(old)
    const stored = (await db.bodies.get(0))!
    expect(stored.text).toBeDefined()
    await db.bodies.put({
      n: 0,
      raw: old.map((r) => r.raw),
      provenance: old.map((r) => r.provenance),
      warnings: stored.warnings
    })
    await db.commitBatch(text)
    await db.commitPacked(packRecords(bytes))
    const blobs = packRecords([...blob.slice(0, 200), blob[50]!, ...blob.slice(200)]).map(
      (packed) => blobOf(packed)
    )
    expect(await db.commitPacked(blobs)).toEqual({ new: 400, duplicates: 1 })
    db.close()

    const reopened = appDb(name)
    const layouts = (await reopened.bodies.toArray()).map((body) =>
      body.rawBlob
        ? 'blob'
        : body.rawBytes
          ? 'bytes'
          : body.text !== undefined
            ? 'text'
            : 'per record'
    )
    expect(layouts).toEqual(['per record', 'text', 'bytes', 'blob'])
    const all = [...old, ...text, ...bytes, ...blob]
    const back = await reopened.recordsAfter(0, 10_000)
    expect(back).toEqual(all.map((record, i) => ({ ...record, seq: i + 1 })))
    for (const i of [0, 699, 700, 1299, 1300, 1799, 1800, 2199]) {
      expect(await reopened.getRecord(all[i]!.id)).toEqual({ ...all[i], seq: i + 1 })
    }
    // The Explorer's engine reads raw text and provenance from every layout alike.
    const engine = new QueryEngine(reopened)
    await engine.load()
    expect(engine.index.size).toBe(all.length)
    const page = await engine.records(emptyQuery(), 0, all.length)
    const byId = new Map(page.records.map((r) => [r.id, r]))
    for (const record of all) {
      expect(byId.get(record.id)?.raw).toBe(record.raw)
      expect(byId.get(record.id)?.provenance).toEqual(record.provenance)
    }
    // Dedupe stays exact over all four.
    expect(
      await reopened.commitPacked(packRecords([old[5]!, text[6]!, bytes[7]!, blob[8]!]))
    ).toEqual({
      new: 0,
      duplicates: 4
    })
  })
})
