import { describe, expect, it } from 'vitest'

import { emptyDelta, emptyLedger } from '../../../shared/acquisition'
import type { LedgerDelta, LedgerWindow } from '../../../shared/acquisition'
import type { NormalizedRecord } from '../../../shared/audit'

import { encodeJsonLines } from '../store/encoded-records'

import {
  CommitQueue,
  concatRecords,
  mergeDeltas,
  type CommitCounts,
  type QueuedRecords
} from './commit-queue'
import { newWindow } from './retry'

function records(...ids: string[]): NormalizedRecord[] {
  return ids.map((id) => ({ id }) as NormalizedRecord)
}

function windowEntry(key: string, received: number): LedgerWindow {
  return { ...newWindow(key, 't', 'management', 'Audit.General', '2026-01-01T00:00:00Z'), received }
}

/** A sink that answers when the test says so, counting Ids it already holds as duplicates. */
class ManualSink {
  readonly stored = new Set<string>()
  readonly batches: Array<{
    records: NormalizedRecord[]
    delta: LedgerDelta
    answer: () => void
    fail: (error: Error) => void
  }> = []

  // Like the app window: batches are stored in the order they come; answers travel back later.
  commit = (queued: QueuedRecords, delta: LedgerDelta): Promise<CommitCounts> => {
    // These tests queue objects; the encoded form is covered by concatRecords below.
    const batch = queued as NormalizedRecord[]
    let fresh = 0
    const added: string[] = []
    for (const r of batch) {
      if (!this.stored.has(r.id)) {
        this.stored.add(r.id)
        added.push(r.id)
        fresh++
      }
    }
    return new Promise((resolve, reject) => {
      this.batches.push({
        records: batch,
        delta,
        answer: () => resolve({ new: fresh, duplicates: batch.length - fresh }),
        fail: (error) => {
          added.forEach((id) => this.stored.delete(id))
          reject(error)
        }
      })
    })
  }
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0))

describe('CommitQueue (group commit)', () => {
  it('sends the first part at once and merges what queues up meanwhile into one batch', async () => {
    const sink = new ManualSink()
    const queue = new CommitQueue({
      sink: sink.commit,
      ledger: emptyLedger(),
      batchSize: 4,
      highWater: 100
    })
    const first = queue.commit(records('a', 'b'), emptyDelta())
    const second = queue.commit(records('c', 'd'), emptyDelta())
    const third = queue.commit(records('e'), emptyDelta())
    const fourth = queue.commit(records('f', 'g'), emptyDelta())
    expect(sink.batches.map((b) => b.records.map((r) => r.id))).toEqual([['a', 'b']])
    sink.batches[0]!.answer()
    await expect(first).resolves.toEqual({ new: 2, duplicates: 0 })
    await tick()
    // c, d and e fit in one batch of 4; f and g wait for the next.
    expect(sink.batches.map((b) => b.records.map((r) => r.id))).toEqual([
      ['a', 'b'],
      ['c', 'd', 'e']
    ])
    sink.batches[1]!.answer()
    await tick()
    sink.batches[2]!.answer()
    await expect(Promise.all([second, third, fourth])).resolves.toEqual([
      { new: 2, duplicates: 0 },
      { new: 1, duplicates: 0 },
      { new: 2, duplicates: 0 }
    ])
    await queue.drain()
    expect(sink.batches).toHaveLength(3)
  })

  it("splits a batch's counts by part: repeats in the batch and this run's Ids exactly", async () => {
    const sink = new ManualSink()
    const queue = new CommitQueue({
      sink: sink.commit,
      ledger: emptyLedger(),
      batchSize: 100,
      highWater: 1000
    })
    const opener = queue.commit(records('a'), emptyDelta())
    const p1 = queue.commit(records('b', 'b', 'c'), emptyDelta())
    const p2 = queue.commit(records('c', 'a', 'd'), emptyDelta())
    sink.batches[0]!.answer()
    await opener
    await tick()
    sink.batches[1]!.answer()
    // p1: b repeats itself. p2: c is in p1, a was committed earlier in this run.
    await expect(Promise.all([p1, p2])).resolves.toEqual([
      { new: 2, duplicates: 1 },
      { new: 1, duplicates: 2 }
    ])
  })

  it('attributes duplicates cached before the run to the parts in order, keeping the totals', async () => {
    const sink = new ManualSink()
    sink.stored.add('old1')
    sink.stored.add('old2')
    const batches: CommitCounts[] = []
    const queue = new CommitQueue({
      sink: sink.commit,
      ledger: emptyLedger(),
      batchSize: 100,
      highWater: 1000,
      onBatch: (counts) => batches.push(counts)
    })
    const opener = queue.commit(records('a'), emptyDelta())
    const p1 = queue.commit(records('b', 'b', 'c'), emptyDelta())
    const p2 = queue.commit(records('c', 'a', 'old1', 'd'), emptyDelta())
    const p3 = queue.commit(records('old2', 'e'), emptyDelta())
    sink.batches[0]!.answer()
    await opener
    await tick()
    sink.batches[1]!.answer()
    // old1 and old2 were cached before the run: which part they were in is not known, so the
    // two unexplained duplicates go to the first parts that could hold them (p1 here).
    const parts = await Promise.all([p1, p2, p3])
    expect(parts).toEqual([
      { new: 0, duplicates: 3 },
      { new: 2, duplicates: 2 },
      { new: 2, duplicates: 0 }
    ])
    expect(parts.reduce((n, p) => n + p.new, 0)).toBe(4)
    expect(batches).toEqual([
      { new: 1, duplicates: 0 },
      { new: 4, duplicates: 5 }
    ])
  })

  it('merges ledger deltas with the later entry for a key winning, and applies them once committed', async () => {
    const sink = new ManualSink()
    const ledger = emptyLedger()
    const queue = new CommitQueue({
      sink: sink.commit,
      ledger,
      batchSize: 100,
      highWater: 1000
    })
    void queue.commit([], { ...emptyDelta(), windows: [windowEntry('w0', 0)] })
    void queue.commit([], { ...emptyDelta(), windows: [windowEntry('w1', 1)] })
    void queue.commit([], {
      ...emptyDelta(),
      windows: [windowEntry('w1', 2), windowEntry('w2', 5)]
    })
    expect(ledger.windows['w0']).toBeUndefined()
    sink.batches[0]!.answer()
    await tick()
    expect(ledger.windows['w0']?.received).toBe(0)
    expect(sink.batches[1]!.delta.windows.map((w) => [w.key, w.received])).toEqual([
      ['w1', 2],
      ['w2', 5]
    ])
    sink.batches[1]!.answer()
    await queue.drain()
    expect(ledger.windows['w1']?.received).toBe(2)
    expect(
      mergeDeltas([
        { ...emptyDelta(), windows: [windowEntry('x', 1)] },
        { ...emptyDelta(), windows: [windowEntry('x', 3)] }
      ]).windows.map((w) => w.received)
    ).toEqual([3])
  })

  it('fails the batch, everything queued behind it and every later call when the sink fails', async () => {
    const sink = new ManualSink()
    const queue = new CommitQueue({
      sink: sink.commit,
      ledger: emptyLedger(),
      batchSize: 2,
      highWater: 1000
    })
    const first = queue.commit(records('a'), emptyDelta())
    const queued = queue.commit(records('b'), emptyDelta())
    sink.batches[0]!.fail(new Error('disk full'))
    await expect(first).rejects.toThrow('disk full')
    await expect(queued).rejects.toThrow('disk full')
    await expect(queue.add(records('c'), emptyDelta())).rejects.toThrow('disk full')
    await expect(queue.drain()).rejects.toThrow('disk full')
    expect(sink.batches).toHaveLength(1)
  })

  it('with two batches in flight, accounts for answers in the order the batches were sent', async () => {
    const sink = new ManualSink()
    const seen: string[] = []
    const queue = new CommitQueue({
      sink: sink.commit,
      ledger: emptyLedger(),
      batchSize: 1,
      highWater: 1000,
      maxInFlight: 2
    })
    const a = queue.commit(records('a'), emptyDelta()).then((c) => (seen.push('a'), c))
    const b = queue.commit(records('a'), emptyDelta()).then((c) => (seen.push('b'), c))
    void queue.commit(records('c'), emptyDelta())
    expect(sink.batches).toHaveLength(2)
    // The sink answers the second first; the second still counts after the first.
    sink.batches[1]!.answer()
    await tick()
    expect(seen).toEqual([])
    sink.batches[0]!.answer()
    await expect(Promise.all([a, b])).resolves.toEqual([
      { new: 1, duplicates: 0 },
      // The sink counted it new (it saw it first), but this run had already committed 'a'.
      { new: 0, duplicates: 1 }
    ])
    expect(seen).toEqual(['a', 'b'])
  })

  it('add() waits for room above the high-water mark and reports counts when committed', async () => {
    const sink = new ManualSink()
    const queue = new CommitQueue({
      sink: sink.commit,
      ledger: emptyLedger(),
      batchSize: 2,
      highWater: 2
    })
    const counted: CommitCounts[] = []
    await queue.add(records('a', 'b'), emptyDelta(), (c) => counted.push(c))
    await queue.add(records('c', 'd'), emptyDelta(), (c) => counted.push(c))
    let hasRoom = false
    const third = queue
      .add(records('e', 'f'), emptyDelta(), (c) => counted.push(c))
      .then(() => (hasRoom = true))
    await tick()
    expect(hasRoom).toBe(false)
    sink.batches[0]!.answer()
    await third
    expect(hasRoom).toBe(true)
    expect(counted).toEqual([{ new: 2, duplicates: 0 }])
    sink.batches[1]!.answer()
    await tick()
    sink.batches[2]!.answer()
    await queue.drain()
    expect(counted).toHaveLength(3)
  })

  it('concatenates serialized parts into one serialized batch, lines and Ids in order', () => {
    const a = encodeJsonLines(['a', 'b'], ['{"id":"a"}', '{"id":"b"}'])
    const b = encodeJsonLines(['c'], ['{"id":"c"}'])
    const merged = concatRecords([a, [], b])
    if (Array.isArray(merged)) {
      throw new Error('expected serialized records')
    }
    expect(merged.ids).toEqual(['a', 'b', 'c'])
    const text = new TextDecoder().decode(merged.ndjson)
    expect(text).toBe('{"id":"a"}\n{"id":"b"}\n{"id":"c"}\n')
    const lines = merged.ids.map((_, i) =>
      text.slice(merged.offsets[i], merged.offsets[i + 1]).trim()
    )
    expect(lines).toEqual(['{"id":"a"}', '{"id":"b"}', '{"id":"c"}'])
    expect(concatRecords([records('x'), [], records('y')])).toEqual(records('x', 'y'))
  })
})
