import { describe, expect, it } from 'vitest'

import { parseAuditTime, toUtcIso } from './audit-time'

describe('toUtcIso', () => {
  it('writes what Date#toISOString writes, across years, leap days and the ends of its range', () => {
    const edges = [
      0,
      -1,
      951_782_400_000, // 2000-02-29
      4_107_542_399_999, // 2100-02-28T23:59:59.999
      -62_167_219_200_000, // 0000-01-01
      -62_167_219_200_001, // -000001-12-31: six digits, written by Date
      253_402_300_799_999, // 9999-12-31T23:59:59.999
      253_402_300_800_000, // +010000-01-01: six digits, written by Date
      1.5 // not a whole millisecond: written by Date
    ]
    for (const ms of edges) {
      expect(toUtcIso(ms)).toBe(new Date(ms).toISOString())
    }
    // A pseudo-random walk over four millennia (seeded, so every run checks the same values).
    let seed = 42
    for (let i = 0; i < 20_000; i++) {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0
      const ms = Math.floor((seed / 2 ** 32) * 1.3e14) - 3e13 + (i % 1000)
      expect(toUtcIso(ms)).toBe(new Date(ms).toISOString())
    }
  })
})

describe('parseAuditTime', () => {
  it('knows the days of each month, leap years included, and refuses the rest', () => {
    expect(parseAuditTime('2024-02-29T10:00:00')).toBe(Date.UTC(2024, 1, 29, 10))
    expect(parseAuditTime('2023-02-29T10:00:00')).toBeNull()
    expect(parseAuditTime('2000-02-29')).toBe(Date.UTC(2000, 1, 29))
    expect(parseAuditTime('2100-02-29')).toBeNull()
    expect(parseAuditTime('2026-04-31')).toBeNull()
    expect(parseAuditTime('2026-12-31T23:59:59Z')).toBe(Date.UTC(2026, 11, 31, 23, 59, 59))
    expect(parseAuditTime('4/30/2026 11:59:15 PM')).toBe(Date.UTC(2026, 3, 30, 23, 59, 15))
  })
})
