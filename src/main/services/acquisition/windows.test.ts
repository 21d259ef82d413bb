import { describe, expect, it } from 'vitest'

import { MAX_WINDOW_MS, REACH_MS, planManagementWindows } from './windows'
import { TokenBucket } from './token-bucket'
import { BlobFormatError, readBlob } from './blob-records'

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
})
