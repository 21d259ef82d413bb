import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import {
  bucketLabel,
  bucketRangeOfLabel,
  bucketStart,
  dateBucketColumn,
  parseDateBucketColumn,
  timeBucketRanks
} from './date-buckets'

const H = 3_600_000

describe('date buckets for stacking', () => {
  it('names its stack columns and reads them back; other columns are not date buckets', () => {
    expect(parseDateBucketColumn(dateBucketColumn('hour', 'local'))).toEqual({
      bucket: 'hour',
      zone: 'local'
    })
    expect(parseDateBucketColumn('createdAt')).toBeNull()
    expect(parseDateBucketColumn('createdAt@week@utc')).toBeNull()
    expect(parseDateBucketColumn('f:createdAt@day@utc')).toBeNull()
  })

  it('labels UTC days and hours, and a label gives back exactly its range', () => {
    const t = Date.UTC(2026, 4, 20, 14, 37, 5)
    expect(bucketLabel(bucketStart(t, 'day', 'utc'), 'day', 'utc')).toBe('2026-05-20')
    expect(bucketLabel(bucketStart(t, 'hour', 'utc'), 'hour', 'utc')).toBe('2026-05-20 14:00')
    expect(bucketRangeOfLabel('2026-05-20', 'day', 'utc')).toEqual({
      fromMs: Date.UTC(2026, 4, 20),
      toMs: Date.UTC(2026, 4, 21)
    })
    expect(bucketRangeOfLabel('2026-05-20 14:00', 'hour', 'utc')).toEqual({
      fromMs: Date.UTC(2026, 4, 20, 14),
      toMs: Date.UTC(2026, 4, 20, 15)
    })
    expect(bucketRangeOfLabel('(empty)', 'day', 'utc')).toBeNull()
    expect(bucketRangeOfLabel('2026-05-20', 'hour', 'utc')).toBeNull()
  })

  it('ranks rows by bucket in calendar order, rows without a time as rank 0', () => {
    const times = new Float64Array([
      Date.UTC(2026, 4, 21, 1),
      Date.UTC(2026, 4, 20, 23, 59),
      Number.NaN,
      Date.UTC(2026, 4, 20, 0, 0),
      Date.UTC(2026, 4, 21, 23)
    ])
    const order = new Uint32Array([2, 3, 1, 0, 4])
    const byDay = timeBucketRanks(times, order, 'day', 'utc')
    expect(Array.from(byDay.ranks)).toEqual([2, 1, 0, 1, 2])
    expect(byDay.levels).toBe(2)
    expect([byDay.value(1), byDay.value(2), byDay.value(0)]).toEqual([
      '2026-05-20',
      '2026-05-21',
      ''
    ])
    const byHour = timeBucketRanks(times, order, 'hour', 'utc')
    expect(byHour.levels).toBe(4)
    expect(byHour.value(byHour.ranks[1]!)).toBe('2026-05-20 23:00')
  })

  describe('in a local zone with daylight saving time', () => {
    beforeEach(() => {
      vi.stubEnv('TZ', 'America/New_York')
    })
    afterEach(() => {
      vi.unstubAllEnvs()
    })

    it('days follow the local calendar: the spring-forward day is 23 hours long', () => {
      // 2026-03-08 is the day New York moves its clocks forward.
      const range = bucketRangeOfLabel('2026-03-08', 'day', 'local')
      expect(range).not.toBeNull()
      expect(range!.toMs - range!.fromMs).toBe(23 * H)
      const noon = range!.fromMs + 12 * H
      expect(bucketLabel(bucketStart(noon, 'day', 'local'), 'day', 'local')).toBe('2026-03-08')
      // 03:30 UTC on the 9th is still the 8th in New York.
      const late = Date.UTC(2026, 2, 9, 3, 30)
      expect(bucketLabel(bucketStart(late, 'day', 'local'), 'day', 'local')).toBe('2026-03-08')
      expect(bucketLabel(bucketStart(late, 'hour', 'local'), 'hour', 'local')).toBe(
        '2026-03-08 23:00'
      )
    })

    it('names the fall-back hour by its offset: two entries, each filtering to its own hour', () => {
      // 2026-11-01: New York's clocks go from 02:00 EDT back to 01:00 EST, so 01:00 happens twice.
      const first = Date.UTC(2026, 10, 1, 5, 20) // 01:20 EDT (UTC-04:00)
      const second = Date.UTC(2026, 10, 1, 6, 20) // 01:20 EST (UTC-05:00)
      const [a, b] = [first, second].map((ms) => bucketStart(ms, 'hour', 'local'))
      expect(b! - a!).toBe(H)
      expect(bucketLabel(a!, 'hour', 'local')).toBe('2026-11-01 01:00 (UTC-04:00)')
      expect(bucketLabel(b!, 'hour', 'local')).toBe('2026-11-01 01:00 (UTC-05:00)')
      expect(bucketRangeOfLabel('2026-11-01 01:00 (UTC-04:00)', 'hour', 'local')).toEqual({
        fromMs: a,
        toMs: a! + H
      })
      expect(bucketRangeOfLabel('2026-11-01 01:00 (UTC-05:00)', 'hour', 'local')).toEqual({
        fromMs: b,
        toMs: b! + H
      })
      // The hours around it keep their plain labels; an offset the hour never had is refused.
      expect(bucketLabel(a! - H, 'hour', 'local')).toBe('2026-11-01 00:00')
      expect(bucketLabel(b! + H, 'hour', 'local')).toBe('2026-11-01 02:00')
      expect(bucketRangeOfLabel('2026-11-01 01:00 (UTC-03:00)', 'hour', 'local')).toBeNull()
      // Ranked in time order, the two are two values of the stack.
      const times = Float64Array.from([second, first])
      const ranked = timeBucketRanks(times, Uint32Array.from([1, 0]), 'hour', 'local')
      expect(ranked.levels).toBe(2)
      expect(ranked.value(ranked.ranks[1]!)).toBe('2026-11-01 01:00 (UTC-04:00)')
      expect(ranked.value(ranked.ranks[0]!)).toBe('2026-11-01 01:00 (UTC-05:00)')
    })
  })
})
