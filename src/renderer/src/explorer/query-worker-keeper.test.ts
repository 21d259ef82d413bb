import { describe, expect, it } from 'vitest'

import type { CommittedChunks } from '../db/cache-types'
import { encodeChunk, type ColumnChunk } from '../db/record-chunk'
import { FakeWorker } from '../workers/fake-worker'

import { makeRecord } from '../../../shared/audit/test-records'

import { QueryClient } from './query-client'
import { QueryWorkerKeeper, ownedColumns, type CommitSource } from './query-worker-keeper'
import type { LoadProgress, WorkerRequest } from './query-types'

function progress(indexed: number, isDone = false): LoadProgress {
  return { indexed, total: 100, isDone, fieldKeys: [], chunks: { read: 0, handedOver: 0 } }
}

/** A keeper whose workers are fakes, listed in the order it started them. */
function withKeeper(): {
  keeper: QueryWorkerKeeper
  workers: FakeWorker<WorkerRequest, LoadProgress>[]
} {
  const workers: FakeWorker<WorkerRequest, LoadProgress>[] = []
  return {
    workers,
    keeper: new QueryWorkerKeeper(() => {
      const worker = new FakeWorker<WorkerRequest, LoadProgress>()
      workers.push(worker)
      return new QueryClient(worker)
    })
  }
}

function answer(worker: FakeWorker<WorkerRequest, LoadProgress>, k: number, value: unknown): void {
  worker.send({ type: 'answer', reqId: worker.received[k]?.reqId ?? 0, ok: true, value })
}

/** A commit source the test drives (AppDb's onDidCommitChunks). */
function commits(): {
  source: CommitSource
  commit: (c: CommittedChunks) => void
} {
  const listeners = new Set<(c: CommittedChunks) => void>()
  return {
    source: {
      writerId: 'writer-1',
      onDidCommitChunks: (listener) => {
        listeners.add(listener)
        return () => listeners.delete(listener)
      }
    },
    commit: (c) => listeners.forEach((listener) => listener(c))
  }
}

const chunk = (n: number): CommittedChunks['chunks'][number] => ({
  ...encodeChunk([makeRecord({ id: `r${n}` })]).columns,
  n,
  firstRow: n
})

describe('the window’s query worker', () => {
  it('is started while the page boots and handed to the Explorer with the last progress', async () => {
    const { keeper, workers } = withKeeper()
    keeper.prestart('cache-a')
    const [worker] = workers
    expect(worker?.received).toMatchObject([{ type: 'open', dbName: 'cache-a' }])
    worker!.send({ type: 'progress', progress: progress(10) })
    worker!.send({ type: 'progress', progress: progress(40) })
    const taken = keeper.take('cache-a')
    expect(taken.progress).toEqual(progress(40))
    expect(workers).toHaveLength(1)

    // The Explorer's own requests go to the same worker.
    const opened = taken.client.request({ type: 'open', dbName: 'cache-a' })
    answer(worker!, 1, progress(100, true))
    await expect(opened).resolves.toEqual(progress(100, true))
  })

  it('is handed back on unmount, still running, and the remounted Explorer gets the same one', async () => {
    const { keeper, workers } = withKeeper()
    const first = keeper.take('cache-b')
    answer(workers[0]!, 0, progress(100, true))
    await Promise.resolve()
    keeper.giveBack(first.client)
    expect(workers[0]!.isTerminated).toBe(false)
    // Other views show; the worker keeps following (its pushes are still recorded).
    workers[0]!.send({ type: 'changed', progress: progress(120, true) })
    const again = keeper.take('cache-b')
    expect(again.client).toBe(first.client)
    expect(again.progress).toEqual(progress(120, true))
    expect(workers).toHaveLength(1)
  })

  it('stops the worker of another cache, and one handed back after it was replaced', () => {
    const { keeper, workers } = withKeeper()
    const old = keeper.take('cache-c')
    const other = keeper.take('cache-d')
    expect(workers).toHaveLength(2)
    expect(workers[0]!.isTerminated).toBe(true)
    expect(workers[1]!.received).toMatchObject([{ type: 'open', dbName: 'cache-d' }])
    keeper.giveBack(old.client)
    expect(workers[1]!.isTerminated).toBe(false)
    keeper.giveBack(other.client)
    expect(workers[1]!.isTerminated).toBe(false)
    keeper.prestart('cache-d')
    expect(workers).toHaveLength(2)
  })

  it('hands each commit’s chunks to the worker, starting one if none runs', async () => {
    const { keeper, workers } = withKeeper()
    const { source, commit } = commits()
    const stop = keeper.follow(source)
    commit({ dbName: 'cache-e', writer: 'writer-1', epoch: 'e1', chunks: [chunk(0), chunk(1)] })
    const [worker] = workers
    // The worker learns whose commits it is handed (it skips their broadcasts), then gets them.
    expect(worker?.received.map((r) => r.type)).toEqual(['open', 'hand-over-from', 'append'])
    expect(worker?.received[1]).toMatchObject({ writer: 'writer-1' })
    expect(worker?.received[2]).toMatchObject({
      type: 'append',
      dbName: 'cache-e',
      epoch: 'e1',
      chunks: [{ n: 0 }, { n: 1 }]
    })
    // Taken while a hand-over is on its way: nothing it shows may read as final.
    worker!.send({ type: 'progress', progress: progress(1, true) })
    expect(keeper.take('cache-e').progress).toEqual(progress(1, false))
    answer(worker!, 2, progress(2, true))
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(keeper.take('cache-e').progress).toEqual(progress(2, true))

    stop()
    commit({ dbName: 'cache-e', writer: 'writer-1', epoch: 'e1', chunks: [chunk(2)] })
    expect(worker?.received).toHaveLength(3)
  })

  it('tells a running worker whose commits come, and asks for a read when a hand-over fails', async () => {
    const { keeper, workers } = withKeeper()
    keeper.prestart('cache-g')
    const { source, commit } = commits()
    keeper.follow(source)
    const [worker] = workers
    expect(worker?.received.map((r) => r.type)).toEqual(['open', 'hand-over-from'])
    commit({ dbName: 'cache-g', writer: 'writer-1', epoch: 'e1', chunks: [chunk(0)] })
    worker!.send({ type: 'answer', reqId: worker!.received[2]!.reqId, ok: false, error: 'boom' })
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(worker?.received.map((r) => r.type)).toEqual([
      'open',
      'hand-over-from',
      'append',
      'refresh'
    ])
  })

  it('is stopped when the window cannot start, and discarding twice is harmless', () => {
    const { keeper, workers } = withKeeper()
    keeper.prestart('cache-f')
    keeper.discard()
    expect(workers[0]!.isTerminated).toBe(true)
    keeper.discard()
    keeper.take('cache-f')
    expect(workers).toHaveLength(2)
  })
})

describe('ownedColumns', () => {
  it('copies every section that views a bigger buffer, so no raw text crosses with it', () => {
    const columns = encodeChunk([makeRecord(), makeRecord()]).columns
    const packed = new Uint8Array(1 << 16)
    const view = new Float64Array(packed.buffer, 8, 2)
    view.set(columns.times)
    const owned = ownedColumns({ ...columns, times: view }) as ColumnChunk
    expect(owned.times.buffer.byteLength).toBe(16)
    expect(Array.from(owned.times)).toEqual(Array.from(columns.times))
    // Sections that own their buffer go as they are.
    expect(owned.codes).toBe(columns.codes)
    expect(owned.pool).toBe(columns.pool)
  })
})
