import { describe, expect, it } from 'vitest'

import { FakeWorker } from './fake-worker'
import { WorkerRpcClient } from './worker-rpc-client'

type Req = { type: 'add'; reqId: number; a: number; b: number } | { type: 'fail'; reqId: number }

describe('the worker request/answer client', () => {
  it('matches answers to requests by id, whatever order they come back in', async () => {
    const worker = new FakeWorker<Req, number>()
    const client = new WorkerRpcClient<Req, { add: number; fail: never }, number>(
      worker,
      'test worker'
    )
    const first = client.request({ type: 'add', a: 1, b: 2 })
    const second = client.request({ type: 'add', a: 10, b: 20 })
    const [r1, r2] = worker.received
    expect(r1?.reqId).not.toBe(r2?.reqId)
    worker.send({ type: 'answer', reqId: r2?.reqId ?? 0, ok: true, value: 30 })
    worker.send({ type: 'answer', reqId: r1?.reqId ?? 0, ok: true, value: 3 })
    await expect(first).resolves.toBe(3)
    await expect(second).resolves.toBe(30)
  })

  it('rejects with the worker error, passes pushes to listeners until unsubscribed, and rejects what waits on dispose', async () => {
    const worker = new FakeWorker<Req, number>()
    const client = new WorkerRpcClient<Req, { add: number; fail: never }, number>(
      worker,
      'test worker'
    )
    const failing = client.request({ type: 'fail' })
    worker.send({ type: 'answer', reqId: worker.received[0]?.reqId ?? 0, ok: false, error: 'no' })
    await expect(failing).rejects.toThrow('no')

    const seen: Array<[string, number]> = []
    const off = client.onDidChange((event, progress) => seen.push([event, progress]))
    worker.send({ type: 'progress', progress: 5 })
    worker.send({ type: 'changed', progress: 6 })
    off()
    worker.send({ type: 'progress', progress: 7 })
    expect(seen).toEqual([
      ['progress', 5],
      ['changed', 6]
    ])

    const waiting = client.request({ type: 'add', a: 1, b: 1 })
    client.dispose()
    expect(worker.isTerminated).toBe(true)
    await expect(waiting).rejects.toThrow('The test worker was stopped.')
  })
})
