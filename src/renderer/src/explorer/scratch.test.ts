import { describe, expect, it } from 'vitest'

import { scratchBytes, scratchInt32, scratchUint32, scratchUint8 } from './scratch'

describe('scratch arrays', () => {
  it('gives the same memory again for a purpose while it is large enough', () => {
    const first = scratchUint32('test.reuse', 100)
    first[7] = 42
    const again = scratchUint32('test.reuse', 60)
    expect(again.length).toBe(60)
    expect(again.buffer).toBe(first.buffer)
    // Not cleared when no fill is asked for: the caller writes before it reads.
    expect(again[7]).toBe(42)
  })

  it('clears the view to the fill asked for, and only the view', () => {
    const wide = scratchInt32('test.fill', 50)
    wide.fill(9)
    const view = scratchInt32('test.fill', 20, -1)
    expect(Array.from(view)).toEqual(new Array(20).fill(-1))
    expect(scratchInt32('test.fill', 50)[30]).toBe(9)
    expect(Array.from(scratchInt32('test.fill', 50, 0))).toEqual(new Array(50).fill(0))
  })

  it('grows with room for a little more, keeping nothing of the smaller array', () => {
    const small = scratchUint8('test.grow', 8)
    small.fill(5)
    const large = scratchUint8('test.grow', 400, 0)
    expect(large.length).toBe(400)
    expect(large.buffer).not.toBe(small.buffer)
    expect(large.buffer.byteLength).toBe(500)
    expect(large.every((v) => v === 0)).toBe(true)
    // The next chunk a little larger still fits.
    expect(scratchUint8('test.grow', 480).buffer).toBe(large.buffer)
  })

  it('never lets two purposes share memory', () => {
    const a = scratchUint32('test.a', 64, 1)
    const b = scratchUint32('test.b', 64, 2)
    expect(a.buffer).not.toBe(b.buffer)
    expect(a.every((v) => v === 1)).toBe(true)
    expect(scratchBytes()).toBeGreaterThanOrEqual(a.buffer.byteLength + b.buffer.byteLength)
  })
})
