import { describe, expect, it } from 'vitest'

import { FakeWorker } from '../workers/fake-worker'

import {
  QueryClient,
  discardEarlyQueryWorker,
  prestartQueryWorker,
  takeEarlyQueryWorker
} from './query-client'
import type { LoadProgress, WorkerRequest } from './query-types'

function progress(indexed: number, isDone = false): LoadProgress {
  return { indexed, total: 100, isDone, fieldKeys: [] }
}

function prestart(dbName: string): FakeWorker<WorkerRequest, LoadProgress> {
  const worker = new FakeWorker<WorkerRequest, LoadProgress>()
  prestartQueryWorker(dbName, () => new QueryClient(worker))
  return worker
}

describe('the query worker started while the page boots', () => {
  it('opens the cache at once and hands the Explorer its client with the last progress, once', async () => {
    const worker = prestart('cache-a')
    expect(worker.received).toMatchObject([{ type: 'open', dbName: 'cache-a' }])
    worker.send({ type: 'progress', progress: progress(10) })
    worker.send({ type: 'progress', progress: progress(40) })

    const early = takeEarlyQueryWorker('cache-a')
    expect(early?.progress).toEqual(progress(40))
    expect(worker.isTerminated).toBe(false)
    // Taken: pushes are the Explorer's now, and nobody else gets the worker.
    worker.send({ type: 'progress', progress: progress(70) })
    expect(early?.progress).toEqual(progress(40))
    expect(takeEarlyQueryWorker('cache-a')).toBeNull()

    // The Explorer's own requests go to the same worker.
    const opened = early?.client.request({ type: 'open', dbName: 'cache-a' })
    worker.send({
      type: 'answer',
      reqId: worker.received[1]?.reqId ?? 0,
      ok: true,
      value: progress(100, true)
    })
    await expect(opened).resolves.toEqual(progress(100, true))
  })

  it('keeps the answer of its open request when loading ended before the Explorer mounted', async () => {
    const worker = prestart('cache-b')
    worker.send({
      type: 'answer',
      reqId: worker.received[0]?.reqId ?? 0,
      ok: true,
      value: progress(100, true)
    })
    await Promise.resolve()
    expect(takeEarlyQueryWorker('cache-b')?.progress).toEqual(progress(100, true))
  })

  it('stops a worker started for another cache, and starts only one at a time', () => {
    const first = prestart('cache-c')
    const second = prestart('cache-d')
    expect(second.received).toEqual([])
    expect(takeEarlyQueryWorker('cache-d')).toBeNull()
    expect(first.isTerminated).toBe(true)
    expect(takeEarlyQueryWorker('cache-c')).toBeNull()
  })

  it('is stopped when another view comes first, and discarding twice is harmless', () => {
    const worker = prestart('cache-e')
    discardEarlyQueryWorker()
    expect(worker.isTerminated).toBe(true)
    expect(takeEarlyQueryWorker('cache-e')).toBeNull()
    discardEarlyQueryWorker()
  })
})
