import { describe, expect, it } from 'vitest'

import { AckedBatches } from './acked-batches'

const batches = (timeoutMs = 1_000): AckedBatches =>
  new AckedBatches({
    timeoutMs,
    timeoutError: () => new Error('no answer'),
    commitError: (message) => new Error(`could not store: ${message}`)
  })

describe('AckedBatches', () => {
  it('numbers batches and settles each with the window answer', async () => {
    const b = batches()
    const first = b.open()
    const second = b.open()
    expect([first.batchId, second.batchId]).toEqual([1, 2])
    expect(b.settle(2, { ok: true, new: 3, duplicates: 1 })).toBe(true)
    await expect(second.answer).resolves.toEqual({ new: 3, duplicates: 1 })
    expect(b.settle(1, { ok: false, code: 'QuotaExceededError', message: 'disk full' })).toBe(true)
    await expect(first.answer).rejects.toThrow('could not store: disk full')
  })

  it('refuses unknown, repeated and late answers', async () => {
    const b = batches(20)
    const { batchId, answer } = b.open()
    await expect(answer).rejects.toThrow('no answer')
    expect(b.settle(batchId, { ok: true, new: 1, duplicates: 0 })).toBe(false)
    expect(b.settle(99, { ok: true, new: 1, duplicates: 0 })).toBe(false)
  })

  it('fails every waiting batch on cancel', async () => {
    const b = batches()
    const one = b.open()
    const two = b.open()
    b.rejectAll(new Error('cancelled'))
    await expect(one.answer).rejects.toThrow('cancelled')
    await expect(two.answer).rejects.toThrow('cancelled')
    expect(b.settle(one.batchId, { ok: true, new: 1, duplicates: 0 })).toBe(false)
  })
})
