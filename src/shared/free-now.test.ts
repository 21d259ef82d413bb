import { describe, expect, it } from 'vitest'

import { freeNow } from './free-now'

describe('freeNow', () => {
  /** A buffer whose `transfer` (what gives its memory back) is recorded. */
  function recorded(length: number): { buffer: ArrayBuffer; calls: number[] } {
    const buffer = new ArrayBuffer(length)
    const calls: number[] = []
    Object.defineProperty(buffer, 'transfer', {
      value: (to: number) => {
        calls.push(to)
        return new ArrayBuffer(to)
      }
    })
    return { buffer, calls }
  }

  it('gives back the buffer of an array that is the whole of it', () => {
    const { buffer, calls } = recorded(64)
    freeNow(new Uint32Array(buffer))
    expect(calls).toEqual([0])
  })

  it('leaves a buffer that a view shares only in part, and an empty one', () => {
    const part = recorded(64)
    freeNow(new Uint32Array(part.buffer, 0, 8), new Uint8Array(part.buffer).subarray(4))
    expect(part.calls).toEqual([])
    const empty = recorded(0)
    freeNow(new Uint8Array(empty.buffer))
    expect(empty.calls).toEqual([])
  })

  it('detaches the buffer where the runtime can transfer one', () => {
    const array = Float64Array.from([1, 2, 3])
    freeNow(array)
    const canTransfer =
      typeof (ArrayBuffer.prototype as { transfer?: unknown }).transfer === 'function'
    // Node 20 cannot (the call is then a no-op, and the array stays as it was).
    expect(array.length).toBe(canTransfer ? 0 : 3)
  })
})
