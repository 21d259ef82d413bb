/**
 * The cache's IndexedDB schema, version by version, with the upgrade of each (STYLE.md rule 17).
 *
 * Schema rule: a released `version(n)` is NEVER edited in place — users' databases were created
 * from it. A change adds `version(n + 1)` with the new stores and an `upgrade()` whose comment says
 * why (derived columns can always be rebuilt from `raw`).
 */
import type { Dexie, Transaction } from 'dexie'

import type { NormalizedRecord } from '../../../shared/audit'

import type { ChunkToStore } from '../../../shared/cache/stored-chunk'

import { META_KEY, type CacheMeta, type RecordRow } from './cache-types'
import type { ChunkDuplicates } from './duplicate-counts'

import { CHUNK_MAX_RECORDS, encodeChunk, type IdChunk } from './record-chunk'

/** Numbers an encoded chunk as chunk `n` starting at row `firstRow`. */
export function placeChunk(chunk: ChunkToStore, n: number, firstRow: number): ChunkToStore {
  return {
    columns: { ...chunk.columns, n, firstRow },
    body: { ...chunk.body, n },
    ids: { ...chunk.ids, n, firstRow }
  }
}

function withoutSeq(row: RecordRow): NormalizedRecord {
  const record: Partial<RecordRow> = { ...row }
  delete record.seq
  return record as NormalizedRecord
}

/** v1 → v2: re-encodes every v1 record, in `seq` order, as chunks. */
async function recordsToChunks(tx: Transaction): Promise<void> {
  const old = tx.table<RecordRow, string>('records')
  let afterSeq = 0
  let n = 0
  let rows = 0
  for (;;) {
    const batch = await old.where('seq').above(afterSeq).limit(CHUNK_MAX_RECORDS).toArray()
    const last = batch[batch.length - 1]
    if (!last) {
      break
    }
    afterSeq = last.seq
    const chunk = placeChunk(encodeChunk(batch.map(withoutSeq)), n, rows)
    await tx.table('columns').add(chunk.columns)
    await tx.table('bodies').add(chunk.body)
    await tx.table('chunkIds').add(chunk.ids)
    n++
    rows += batch.length
  }
  await tx.table('meta').put({ key: META_KEY, chunks: n, rows } satisfies CacheMeta)
}

/**
 * v2 → v3: the per-Id duplicate rows become per-chunk counts, and their total goes into the meta
 * row. A count whose Id is not cached (none should exist) still counts in the total.
 */
async function duplicatesToChunks(tx: Transaction): Promise<void> {
  const legacy = await tx.table<{ id: string; count: number }, string>('duplicates').toArray()
  let total = 0
  const wanted = new Map<string, number>()
  for (const row of legacy) {
    total += row.count
    wanted.set(row.id, (wanted.get(row.id) ?? 0) + row.count)
  }
  const chunks: ChunkDuplicates[] = []
  if (wanted.size > 0) {
    await tx.table<IdChunk, number>('chunkIds').each((chunk) => {
      let counts: Uint32Array | undefined
      chunk.ids.forEach((id, i) => {
        const count = wanted.get(id)
        if (count !== undefined) {
          counts ??= new Uint32Array(chunk.ids.length)
          counts[i] = count
          wanted.delete(id)
        }
      })
      if (counts) {
        chunks.push({ n: chunk.n, counts })
      }
    })
    await tx.table('chunkDuplicates').bulkAdd(chunks)
  }
  const meta = await tx.table<CacheMeta, string>('meta').get(META_KEY)
  if (meta || total > 0) {
    await tx
      .table('meta')
      .put({ ...(meta ?? { key: META_KEY, chunks: 0, rows: 0 }), duplicates: total })
  }
}

/** Declares every version of the cache's schema on `db`. */
export function defineCacheSchema(db: Dexie): void {
  // v1 (first release). Never change this line; add a version instead.
  db.version(1).stores({
    records: 'id, &seq, createdAtMs, organizationId, operation',
    duplicates: 'id',
    windows: 'key, tenantId, status',
    blobs: 'key, tenantId, status',
    queries: 'key, tenantId, status',
    savedFilters: 'id, &name, updatedAt',
    annotations: 'id, *tags, updatedAt',
    settings: 'key, profileId'
  })
  // v2: records move from one row each (normalized fields, flattened fields and raw text under
  // four indexes) to chunks of a few thousand records with the query engine's columns persisted,
  // so opening a million-record cache reads a few hundred rows and does no per-record work
  // (issue 11). The upgrade re-encodes every v1 record in `seq` order; duplicates, annotations,
  // the ledger and everything else stay as they are.
  db.version(2)
    .stores({
      records: null,
      columns: 'n',
      bodies: 'n',
      chunkIds: 'n',
      meta: 'key'
    })
    .upgrade(recordsToChunks)
  // v3: duplicate counts move from one row per repeated Id to one row of counts per chunk, and
  // their total into the meta row: a re-import of a million cached records wrote a million rows
  // (about 2,600 records/s), and the "duplicates collapsed" figure read every one of them.
  db.version(3)
    .stores({
      duplicates: null,
      chunkDuplicates: 'n'
    })
    .upgrade(duplicatesToChunks)
}
