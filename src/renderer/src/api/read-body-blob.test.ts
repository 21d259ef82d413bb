import { describe, expect, it } from 'vitest'

import { readBodyBlob } from './read-body-blob'

/** A byte-stream body of `pieces`, announcing `length` (null: no Content-Length). */
function response(pieces: Uint8Array[], length: number | null): Response {
  const queue = [...pieces]
  const body = new ReadableStream({
    type: 'bytes',
    pull(controller) {
      const next = queue.shift()
      if (next === undefined) {
        controller.close()
        // A BYOB read waiting on a closed stream is answered with no bytes (Streams spec).
        controller.byobRequest?.respond(0)
      } else {
        controller.enqueue(next.slice())
      }
    }
  })
  return new Response(body, {
    headers: length === null ? {} : { 'Content-Length': String(length) }
  })
}

const bytes = (n: number, seed = 1): Uint8Array =>
  Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff)

/** The arrays one after another. */
function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.byteLength
  }
  return out
}

/** The bytes of a Blob, or null. */
async function read(response: Response, maxBytes: number): Promise<Uint8Array | null> {
  const blob = await readBodyBlob(response, maxBytes)
  return blob && new Uint8Array(await blob.arrayBuffer())
}

describe('readBodyBlob', () => {
  it('reads a body that arrives in pieces into one Blob of its length, byte for byte', async () => {
    // The real path (Chromium fetching from the browser shell) runs in the audit-import e2e specs.
    const pieces = [bytes(1), bytes(70_000, 2), bytes(3, 3), bytes(300_000, 4), bytes(17, 5)]
    const whole = concat(pieces)
    expect(await read(response(pieces, whole.byteLength), 1 << 20)).toEqual(whole)
  })

  it('refuses a body shorter or longer than its Content-Length, or over the limit', async () => {
    expect(await read(response([bytes(5)], 10), 100)).toBeNull()
    expect(await read(response([bytes(5), bytes(5)], 7), 100)).toBeNull()
    expect(await read(response([bytes(50)], 50), 49)).toBeNull()
    expect(await read(response([bytes(20), bytes(30, 9)], 50), 50)).toEqual(
      concat([bytes(20), bytes(30, 9)])
    )
  })

  it('reads an empty body, and refuses a body that does not announce its length', async () => {
    expect(await read(response([], 0), 10)).toEqual(new Uint8Array(0))
    expect(await read(response([bytes(8), bytes(4)], null), 100)).toBeNull()
  })
})
