// The measured code of page-commit.bench.mjs (bundled by it with Vite for Chromium): the window's
// side of every ingest (sync, audit-file import, snapshot import) — AppDb.commitPacked storing the
// packed chunks main hands over — and, from the same chunks in the same page, the floor: the same
// bytes written to a plain IndexedDB store, one row per chunk, one transaction per batch.
import { normalizeRecord, type NormalizedRecord } from '../src/shared/audit'
import { packRecords } from '../src/shared/cache/packed-chunk'
import { chunkToStore } from '../src/shared/cache/stored-chunk'
import { AppDb } from '../src/renderer/src/db/app-db'

/** Parses, normalizes and packs NDJSON records as main does before the hand-over (not measured). */
export function packNdjson(text: string): Uint8Array[] {
  const records: NormalizedRecord[] = []
  for (const line of text.split('\n')) {
    if (line === '') {
      continue
    }
    const result = normalizeRecord({ rawText: line, parsed: JSON.parse(line) })
    if (result.ok) {
      records.push(result.record)
    }
  }
  return packRecords(records)
}

/** Fresh copies of the chunks (a hand-over gives the page bytes it has not seen before). */
function copies(packed: readonly Uint8Array[]): Uint8Array[] {
  return packed.map((chunk) => chunk.slice())
}

/** Unpacking only: what commitPacked does before any look-up or write (`chunkToStore`). */
export async function unpackAll(packed: readonly Uint8Array[]): Promise<number> {
  const chunks = copies(packed)
  const t0 = performance.now()
  let rows = 0
  for (const chunk of chunks) {
    rows += (await chunkToStore(chunk)).ids.ids.length
  }
  if (rows === 0) {
    throw new Error('nothing unpacked')
  }
  return performance.now() - t0
}

function batchesOf(chunks: Uint8Array[], chunksPerBatch: number): Uint8Array[][] {
  const out: Uint8Array[][] = []
  for (let i = 0; i < chunks.length; i += chunksPerBatch) {
    out.push(chunks.slice(i, i + chunksPerBatch))
  }
  return out
}

let cache: AppDb | null = null

/** The cache's commit into a new cache, batch by batch as the hand-over delivers them. */
export async function commitFresh(
  packed: readonly Uint8Array[],
  chunksPerBatch: number
): Promise<{ ms: number; stored: number }> {
  cache = new AppDb(`page-commit-${Date.now()}`)
  await cache.open()
  const batches = batchesOf(copies(packed), chunksPerBatch)
  const t0 = performance.now()
  let stored = 0
  for (const batch of batches) {
    stored += (await cache.commitPacked(batch)).new
  }
  return { ms: performance.now() - t0, stored }
}

/** The same records again into that cache (a re-import): all duplicates, no record written. */
export async function commitRepeats(
  packed: readonly Uint8Array[],
  chunksPerBatch: number
): Promise<{ ms: number; duplicates: number }> {
  const db = cache
  if (!db) {
    throw new Error('commitFresh first')
  }
  const batches = batchesOf(copies(packed), chunksPerBatch)
  const t0 = performance.now()
  let duplicates = 0
  for (const batch of batches) {
    duplicates += (await db.commitPacked(batch)).duplicates
  }
  const ms = performance.now() - t0
  db.close()
  await AppDb.delete(db.name)
  cache = null
  return { ms, duplicates }
}

/** The floor: the same bytes, one row per chunk, in plain IndexedDB (no Dexie, no cache logic). */
export async function rawWriteAll(
  packed: readonly Uint8Array[],
  chunksPerBatch: number
): Promise<number> {
  const name = `page-commit-raw-${Date.now()}`
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(name, 1)
    request.onupgradeneeded = () => request.result.createObjectStore('chunks')
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
  const chunks = copies(packed)
  const t0 = performance.now()
  for (let i = 0; i < chunks.length; i += chunksPerBatch) {
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction('chunks', 'readwrite')
      const store = tx.objectStore('chunks')
      chunks.slice(i, i + chunksPerBatch).forEach((chunk, k) => store.add(chunk, i + k))
      tx.oncomplete = () => resolve()
      tx.onerror = () => reject(tx.error)
    })
  }
  const ms = performance.now() - t0
  db.close()
  indexedDB.deleteDatabase(name)
  return ms
}
