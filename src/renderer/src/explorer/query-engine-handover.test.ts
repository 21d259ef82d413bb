import { IDBKeyRange, indexedDB } from 'fake-indexeddb'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { AppDb, type CommittedChunks } from '../db/app-db'

import type { NormalizedRecord } from '../../../shared/audit'
import { makeRecord } from '../../../shared/audit/test-records'
import { packRecords } from '../../../shared/cache/packed-chunk'

import { PREPARE_AFTER_GROWTH_MS, QueryEngine } from './query-engine'
import { emptyQuery, type ExplorerQuery } from './query-types'

const T0 = Date.UTC(2026, 4, 19, 0, 0, 0)
const USERS = ['alex', 'bea', 'cyd', 'dov', 'eli'].map((u) => `${u}@contoso.example`)
const OPERATIONS = ['PutConnection', 'DeleteConnection', 'PatchApi', 'PutConnectionPermission']

let dbName: string
let db: AppDb
/** What each commit of `db` placed, in order (the keeper hands exactly this to the worker). */
let committed: CommittedChunks[]
let seq = 0

function records(count: number): NormalizedRecord[] {
  return Array.from({ length: count }, () => {
    const i = seq++
    return makeRecord({
      id: `rec-${i}`,
      createdAtMs: T0 + ((i * 7919) % 100_000) * 1000,
      userId: USERS[i % USERS.length]!,
      operation: OPERATIONS[i % OPERATIONS.length]!,
      fields: { Id: `rec-${i}`, 'AdditionalInfo.Note': `note ${i % 13}` }
    })
  })
}

const QUERIES: ExplorerQuery[] = [
  emptyQuery(),
  { ...emptyQuery(), quickSearch: 'note 7' },
  { ...emptyQuery(), facets: { userId: [USERS[2]!] }, sort: [{ colId: 'userId', sort: 'asc' }] },
  { ...emptyQuery(), fromMs: T0 + 20_000_000, toMs: T0 + 60_000_000, quickSearch: 'bea' }
]

/** Every answer an Explorer would ask for, minus timings. */
function answers(engine: QueryEngine): unknown[] {
  return QUERIES.map((query) => {
    // eslint-disable-next-line @typescript-eslint/no-unused-vars
    const { tookMs, ...summary } = engine.summary(query)
    return { summary, rows: engine.rows(query, 0, 20_000).rows }
  })
}

/** An engine loaded from IndexedDB only: what the answers must equal. */
async function fromIndexedDb(): Promise<QueryEngine> {
  const engine = new QueryEngine(new AppDb(dbName, { indexedDB, IDBKeyRange }))
  await engine.load()
  return engine
}

function offer(
  engine: QueryEngine,
  commit: CommittedChunks | undefined
): ReturnType<QueryEngine['offer']> {
  return engine.offer(commit!.epoch, commit!.chunks)
}

beforeEach(() => {
  dbName = `handover-${Math.random()}`
  db = new AppDb(dbName, { indexedDB, IDBKeyRange })
  committed = []
  db.onDidCommitChunks((commit) => committed.push(commit))
})

afterEach(() => db.close())

describe('what a commit tells its listeners', () => {
  it('is the column chunks it stored, numbered, once stored; a repeat-only commit tells nothing', async () => {
    db.onDidCommitChunks(() => {
      throw new Error('a listener that fails')
    })
    const batch = records(5000)
    expect(await db.commitBatch(batch)).toEqual({ new: 5000, duplicates: 0 })
    expect(committed).toHaveLength(1)
    const [commit] = committed
    expect(commit?.dbName).toBe(dbName)
    expect(commit?.epoch).toBe((await db.cacheMeta()).epoch)
    expect(commit?.chunks.map((c) => [c.n, c.firstRow, c.count])).toEqual([
      [0, 0, 4096],
      [1, 4096, 904]
    ])
    expect(await db.columns.get(1)).toEqual(commit?.chunks[1])
    await db.commitBatch(batch.slice(0, 10))
    expect(committed).toHaveLength(1)
  })
})

describe('the query engine fed the chunks a commit placed', () => {
  it('answers exactly as an engine that read the same commits from IndexedDB, and reads none back', async () => {
    const engine = new QueryEngine(db)
    await engine.load()
    const first = records(5000)
    await db.commitBatch(first)
    await offer(engine, committed[0])
    // Packed chunks (the hand-over of sync and imports), with repeats of cached and own rows.
    await db.commitPacked(packRecords([...records(3000), first[10]!, ...records(1200)]))
    await offer(engine, committed[1])
    await db.commitBatch([...records(10), first[0]!])
    await offer(engine, committed[2])

    expect(committed.map((c) => c.chunks.map((chunk) => chunk.n))).toEqual([[0, 1], [2, 3], [4]])
    const progress = engine.progress()
    expect(progress).toMatchObject({ indexed: 9210, total: 9210, isDone: true })
    expect(progress.chunks).toEqual({ read: 0, handedOver: 5 })
    const reference = await fromIndexedDb()
    expect(reference.progress().chunks).toEqual({ read: 5, handedOver: 0 })
    expect(answers(engine)).toEqual(answers(reference))
  })

  it('appends what was handed over and waits for the next commit’s own hand-over', async () => {
    const engine = new QueryEngine(db)
    await engine.load()
    await db.commitBatch(records(100))
    // The next commit is stored before the first one's chunks reach the worker.
    await db.commitBatch(records(50))
    await offer(engine, committed[0])
    // Not read back: its chunks are on their way; meanwhile the counts say they are partial.
    expect(engine.progress()).toMatchObject({ indexed: 100, total: 150 })
    expect(engine.progress().chunks).toEqual({ read: 0, handedOver: 1 })
    await offer(engine, committed[1])
    expect(engine.progress()).toMatchObject({ indexed: 150, total: 150, isDone: true })
    expect(engine.progress().chunks).toEqual({ read: 0, handedOver: 2 })
    expect(answers(engine)).toEqual(answers(await fromIndexedDb()))
  })

  it('reads a gap from IndexedDB and takes from memory only what follows what it has', async () => {
    const engine = new QueryEngine(db)
    await db.commitBatch(records(100))
    await engine.offer(committed[0]!.epoch, committed[0]!.chunks)
    await db.commitBatch(records(100))
    await db.commitBatch(records(100))
    // The second commit's chunk never reached the engine: it is read, the third is handed over.
    await offer(engine, committed[2])
    expect(engine.progress().chunks).toEqual({ read: 1, handedOver: 2 })
    expect(answers(engine)).toEqual(answers(await fromIndexedDb()))
  })

  it('takes chunks handed over out of order from IndexedDB and drops the late ones', async () => {
    const engine = new QueryEngine(db)
    await db.commitBatch(records(100))
    await db.commitBatch(records(100))
    // The second commit arrives first: chunk 0 is read, chunk 1 taken; then chunk 0 comes late.
    await offer(engine, committed[1])
    await db.commitBatch(records(100))
    // Late, and already read: it starts no read of what comes after it (the third commit's
    // chunk is on its way as its own hand-over).
    await offer(engine, committed[0])
    expect(engine.progress().chunks).toEqual({ read: 1, handedOver: 1 })
    await offer(engine, committed[2])
    expect(engine.progress().chunks).toEqual({ read: 1, handedOver: 2 })
    expect(engine.progress().indexed).toBe(300)
    expect(answers(engine)).toEqual(answers(await fromIndexedDb()))
  })

  it('reads another window’s commits from IndexedDB, and takes its own from memory', async () => {
    const engine = new QueryEngine(db)
    await engine.load()
    const other = new AppDb(dbName, { indexedDB, IDBKeyRange })
    await other.commitBatch(records(300))
    await db.commitBatch(records(300))
    await offer(engine, committed[0])
    expect(committed[0]!.chunks[0]!.n).toBe(1)
    expect(engine.progress().chunks).toEqual({ read: 1, handedOver: 1 })
    expect(answers(engine)).toEqual(answers(await fromIndexedDb()))
    other.close()
  })

  it('never takes chunks of another epoch (a cache cleared and refilled)', async () => {
    const engine = new QueryEngine(db)
    await db.commitBatch(records(100))
    await offer(engine, committed[0])
    // Handed over with a wrong epoch (or stale): read from IndexedDB instead.
    await db.commitBatch(records(100))
    const stale = { ...committed[1]!, epoch: 'another-epoch' }
    await offer(engine, stale)
    expect(engine.progress().chunks).toEqual({ read: 1, handedOver: 1 })
    expect(answers(engine)).toEqual(answers(await fromIndexedDb()))
  })

  it('ends up with what IndexedDB holds when chunks are handed over while a load reads', async () => {
    const engine = new QueryEngine(db)
    await db.commitBatch(records(5000))
    const loading = engine.load()
    await db.commitBatch(records(5000))
    const offered = offer(engine, committed[1])
    await Promise.all([loading, offered])
    await engine.load()
    const progress = engine.progress()
    expect(progress.indexed).toBe(10_000)
    // Every chunk came once, one way or the other.
    expect(progress.chunks.read + progress.chunks.handedOver).toBe(4)
    expect(answers(engine)).toEqual(answers(await fromIndexedDb()))
  })
})

/** Lets queued tasks run `count` times (the preparation yields through a MessageChannel too). */
async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await new Promise<void>((resolve) => {
      const channel = new MessageChannel()
      channel.port1.onmessage = () => {
        channel.port1.close()
        resolve()
      }
      channel.port2.postMessage(null)
    })
  }
}

/** Waits (by turns of the event loop, not by time) until the engine has prepared `chunks`. */
async function preparedUpTo(engine: QueryEngine, chunks: number): Promise<void> {
  for (let i = 0; i < 10_000 && engine.index.searchPreparedChunks() < chunks; i++) {
    await turns(1)
  }
  expect(engine.index.searchPreparedChunks()).toBe(chunks)
}

describe('the quick search’s preparation while chunks keep arriving', () => {
  beforeEach(() => {
    // The engine's clock only: fake-indexeddb schedules with setImmediate, left real.
    vi.useFakeTimers({ toFake: ['performance', 'setTimeout', 'clearTimeout'] })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('prepares an opened cache at once, and new chunks only once they stop arriving', async () => {
    await db.commitBatch(records(5000))
    const engine = new QueryEngine(db)
    await engine.load()
    // Opening is not an ingest: both chunks are prepared with no time passing.
    await preparedUpTo(engine, 2)

    await db.commitBatch(records(100))
    await offer(engine, committed[1])
    await turns(50)
    // Appended, counted and searched (read whole), but not prepared while the ingest may go on.
    expect(engine.progress()).toMatchObject({ indexed: 5100, isDone: true })
    expect(engine.index.searchPreparedChunks()).toBe(2)
    expect(answers(engine)).toEqual(answers(await fromIndexedDb()))

    // Another commit just before the quiet time ends starts it over.
    await vi.advanceTimersByTimeAsync(PREPARE_AFTER_GROWTH_MS - 10)
    await db.commitBatch(records(100))
    await offer(engine, committed[2])
    await vi.advanceTimersByTimeAsync(20)
    await turns(50)
    expect(engine.index.searchPreparedChunks()).toBe(2)

    // Quiet for long enough: every chunk is prepared, and the answers stay the same.
    await vi.advanceTimersByTimeAsync(PREPARE_AFTER_GROWTH_MS)
    await preparedUpTo(engine, 4)
    expect(answers(engine)).toEqual(answers(await fromIndexedDb()))
  })

  it('prepares nothing more once disposed (replaced after the cache was cleared)', async () => {
    const engine = new QueryEngine(db)
    await db.commitBatch(records(4096))
    await offer(engine, committed[0])
    await preparedUpTo(engine, 1)
    await db.commitBatch(records(4096))
    await offer(engine, committed[1])
    engine.dispose()
    await vi.advanceTimersByTimeAsync(PREPARE_AFTER_GROWTH_MS * 2)
    await engine.prepareSearch()
    await turns(50)
    expect(engine.index.searchPreparedChunks()).toBe(1)
  })

  it('does not prepare when asked while chunks arrive, and does once they stopped', async () => {
    const engine = new QueryEngine(db)
    await db.commitBatch(records(4096 * 2))
    await offer(engine, committed[0])
    await preparedUpTo(engine, 2)
    await db.commitBatch(records(4096 * 2))
    await offer(engine, committed[1])
    // A preparation started meanwhile (an opening's, still going) stops before the new chunks.
    await engine.prepareSearch()
    expect(engine.index.searchPreparedChunks()).toBe(2)
    await vi.advanceTimersByTimeAsync(PREPARE_AFTER_GROWTH_MS)
    await preparedUpTo(engine, 4)
  })
})
