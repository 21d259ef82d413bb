import { describe, expect, it } from 'vitest'

import { MAX_WINDOW_MS, REACH_MS, planManagementWindows } from './windows'
import { TokenBucket } from './token-bucket'
import { BlobFormatError, readBlob, readBlobStream } from './blob-records'
import type { BlobItem } from './blob-records'

const NOW = Date.parse('2026-11-20T12:34:56Z')
const MARGIN = 15 * 60_000

describe('planManagementWindows', () => {
  it('never plans a window over 24 h or older than 7 days minus the margin', () => {
    for (const since of [
      NOW - 30 * 86_400_000,
      NOW - REACH_MS,
      NOW - 3 * 86_400_000,
      NOW - 60_000
    ]) {
      const plan = planManagementWindows({
        since,
        until: NOW + 86_400_000,
        serverNow: NOW,
        marginMs: MARGIN
      })
      for (const w of plan.windows) {
        expect(w.end - w.start).toBeLessThanOrEqual(MAX_WINDOW_MS)
        expect(w.start).toBeGreaterThanOrEqual(NOW - REACH_MS + MARGIN)
        expect(w.end).toBeLessThanOrEqual(NOW)
        expect(w.start).toBeLessThan(w.end)
      }
      // Contiguous, no overlap.
      for (let i = 1; i < plan.windows.length; i++) {
        expect(plan.windows[i]?.start).toBe(plan.windows[i - 1]?.end)
      }
      expect(plan.unreachable !== null).toBe(since < NOW - REACH_MS + MARGIN)
    }
  })
})

describe('TokenBucket', () => {
  it('spaces requests at the budget once the burst is spent', async () => {
    let t = 0
    const bucket = new TokenBucket(
      60,
      () => t,
      async (ms) => {
        t += ms
      },
      2
    )
    for (let i = 0; i < 12; i++) {
      await bucket.take()
    }
    // 2 burst + 10 at one a second.
    expect(t).toBeGreaterThanOrEqual(10_000)
    expect(t).toBeLessThan(11_000)
  })
})

describe('readBlob', () => {
  const rec = (id: string): string =>
    `{"Id":"${id}","CreationTime":"2026-11-20T10:00:00","RecordType":15,"Operation":"X"}`
  it('keeps raw text, skips committed records and counts rejects', () => {
    const text = `[${rec('a1')},${rec('a2')},{"CreationTime":"2026-11-20T10:00:00"},${rec('a3')}]`
    const items = [...readBlob(text, 'blob-1', 1)]
    expect(items.map((i) => i.kind)).toEqual(['record', 'rejected', 'record'])
    const first = items[0]
    expect(first?.kind === 'record' && first.record.raw).toBe(rec('a2'))
  })
  it('refuses truncated and malformed bodies', () => {
    expect(() => [...readBlob(`[${rec('a1')},${rec('a2')}`, 'b')]).toThrow(BlobFormatError)
    expect(() => [...readBlob(`[${rec('a1')},{"Id":"a2"<!-- upstream error -->`, 'b')]).toThrow(
      BlobFormatError
    )
    expect(() => [...readBlob('', 'b')]).toThrow(BlobFormatError)
  })

  /** Feeds bytes in pieces of `size` (cutting through multi-byte characters). */
  async function* chunks(text: string, size: number): AsyncGenerator<Uint8Array> {
    const bytes = Buffer.from(text, 'utf8')
    for (let at = 0; at < bytes.length; at += size) {
      yield bytes.subarray(at, at + size)
    }
  }
  async function collect(body: AsyncIterable<Uint8Array>, skip = 0): Promise<BlobItem[]> {
    const out: BlobItem[] = []
    for await (const item of readBlobStream(body, 'b', skip)) {
      out.push(item)
    }
    return out
  }
  it('reads a stream in any chunking with the same items and raw text as the whole body', async () => {
    const text = ` [${rec('é1')},\n${rec('日本')},{"CreationTime":"2026-11-20T10:00:00"},${rec('a3')}]\n`
    const whole = [...readBlob(text, 'b', 1)]
    for (const size of [1, 2, 3, 7, 64, 100_000]) {
      expect(await collect(chunks(text, size), 1)).toEqual(whole)
    }
    const raw = (await collect(chunks(text, 1))).map((i) => i.kind === 'record' && i.record.raw)
    expect(raw).toEqual([rec('é1'), rec('日本'), false, rec('a3')])
  })
  it('yields the records before a break, then refuses the body as before', async () => {
    const seen: string[] = []
    const read = async (text: string): Promise<unknown> => {
      try {
        for await (const item of readBlobStream(chunks(text, 5), 'b')) {
          seen.push(item.kind === 'record' ? item.record.id : 'rejected')
        }
        return 'complete'
      } catch (error) {
        return error
      }
    }
    expect(await read(`[${rec('a1')},${rec('a2')}`)).toBeInstanceOf(BlobFormatError)
    expect(seen).toEqual(['a1', 'a2'])
    for (const bad of [
      `[${rec('a1')},{"Id":"a2"<!-- upstream error -->`,
      `[${rec('a1')}],`,
      `[${rec('a1')}][${rec('a2')}]`,
      `<html>${rec('a1')}`,
      '',
      ' \n '
    ]) {
      expect(await read(bad)).toBeInstanceOf(BlobFormatError)
    }
    expect(await read(`[${rec('a3')}]`)).toBe('complete')
  })
})
