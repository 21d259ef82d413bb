import { describe, expect, it } from 'vitest'

import { REUSED_BUFFER_MAX_BYTES, withBlobBytes } from './blob-bytes'

function filled(size: number, seed: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size)
  for (let i = 0; i < size; i++) {
    bytes[i] = (i * 31 + seed) & 255
  }
  return bytes
}

/** Whether two byte arrays hold the same bytes (a deep equality is slow on big arrays). */
function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) {
    return false
  }
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      return false
    }
  }
  return true
}

/** A Blob whose stream is a plain (not byte) stream: no BYOB reader. */
class PlainStreamBlob extends Blob {
  override stream(): ReadableStream<Uint8Array<ArrayBuffer>> {
    const bytes = this.arrayBuffer()
    return new ReadableStream<Uint8Array<ArrayBuffer>>({
      async start(controller) {
        controller.enqueue(new Uint8Array(await bytes))
        controller.close()
      }
    })
  }
}

/** A Blob whose stream gives its first bytes, then fails (a file gone from under IndexedDB). */
class FailingBlob extends Blob {
  override stream(): ReadableStream<Uint8Array<ArrayBuffer>> {
    let pulls = 0
    return new ReadableStream({
      type: 'bytes',
      pull(controller) {
        if (pulls++ === 0) {
          controller.enqueue(new Uint8Array(16).fill(7))
        } else {
          controller.error(new Error('the blob file is gone'))
        }
      }
    }) as ReadableStream<Uint8Array<ArrayBuffer>>
  }
}

describe('withBlobBytes', () => {
  it('lends each Blob its bytes, and one buffer serves reads made together', async () => {
    const contents = [filled(300_000, 1), filled(200_000, 2), filled(310_000, 3)]
    const lent: Uint8Array[] = []
    const capacities: number[] = []
    const order: number[] = []
    const copies = await Promise.all(
      contents.map((content, k) =>
        withBlobBytes(new Blob([content]), (bytes) => {
          order.push(k)
          lent.push(bytes)
          capacities.push(bytes.buffer.byteLength)
          return bytes.slice()
        })
      )
    )
    copies.forEach((copy, k) => expect(same(copy, contents[k]!)).toBe(true))
    expect(order).toEqual([0, 1, 2])
    // The first read made a buffer with room to spare (310,000 ≤ 375,000), and each read after
    // took that same memory over (a BYOB read transfers it), leaving the bytes lent before empty.
    expect(capacities).toEqual([375_000, 375_000, 375_000])
    expect(lent.map((bytes) => bytes.byteLength)).toEqual([0, 0, 310_000])
  })

  it('grows the buffer for a larger Blob and keeps the larger one', async () => {
    const capacities: number[] = []
    // Larger than the buffer the test before left (375,000 bytes).
    for (const size of [400_000, 600_000, 500_000]) {
      const content = filled(size, size)
      const copy = await withBlobBytes(new Blob([content]), (bytes) => {
        capacities.push(bytes.buffer.byteLength)
        return bytes.slice()
      })
      expect(same(copy, content)).toBe(true)
    }
    expect(capacities).toEqual([500_000, 750_000, 750_000])
  })

  it('reads a Blob over the limit into its own buffer, given back after use', async () => {
    const before = await withBlobBytes(
      new Blob([filled(10, 1)]),
      (bytes) => bytes.buffer.byteLength
    )
    const big = filled(REUSED_BUFFER_MAX_BYTES + 1, 9)
    let lent: Uint8Array | null = null
    const last = await withBlobBytes(new Blob([big]), (bytes) => {
      lent = bytes
      expect(bytes.byteLength).toBe(big.byteLength)
      return bytes[REUSED_BUFFER_MAX_BYTES]!
    })
    expect(last).toBe(big[REUSED_BUFFER_MAX_BYTES])
    // Given back (detached) once used; the kept buffer is still the small one.
    expect(lent!.byteLength).toBe(0)
    const after = await withBlobBytes(new Blob([filled(10, 2)]), (bytes) => bytes.buffer.byteLength)
    expect(after).toBe(before)
  })

  it('reads a Blob whose stream has no BYOB reader', async () => {
    const content = filled(5000, 5)
    const copy = await withBlobBytes(new PlainStreamBlob([content]), (bytes) => bytes.slice())
    expect(copy).toEqual(content)
  })

  it('passes on a failed read or use, and the next read still works', async () => {
    const failedRead = withBlobBytes(new FailingBlob([filled(64, 1)]), (bytes) => bytes.slice())
    const failedUse = withBlobBytes(new Blob([filled(64, 2)]), () => {
      throw new Error('damaged chunk')
    })
    const content = filled(64, 3)
    const next = withBlobBytes(new Blob([content]), (bytes) => bytes.slice())
    await expect(failedRead).rejects.toThrow('the blob file is gone')
    await expect(failedUse).rejects.toThrow('damaged chunk')
    expect(await next).toEqual(content)
  })

  it('refuses a Blob whose stream ends before its size', async () => {
    class ShortBlob extends Blob {
      override stream(): ReadableStream<Uint8Array<ArrayBuffer>> {
        return new ReadableStream({
          type: 'bytes',
          start(controller) {
            controller.enqueue(new Uint8Array(10))
            controller.close()
          }
        }) as ReadableStream<Uint8Array<ArrayBuffer>>
      }
    }
    await expect(
      withBlobBytes(new ShortBlob([filled(100, 1)]), (bytes) => bytes.length)
    ).rejects.toThrow('a stored Blob of 100 bytes gave 10')
  })
})
