import { describe, expect, it } from 'vitest'

import {
  importedRange,
  MAX_IMPORTED_RANGE_HOURS,
  needsHistory,
  parseCustomRange,
  presetRange,
  RANGE_PRESETS
} from './sync-ranges'

const NOW = new Date('2026-11-20T12:00:00Z')

describe('sync ranges', () => {
  it('builds preset ranges ending now; up to 7 days from what the Management API still keeps', () => {
    const preset = (id: string): (typeof RANGE_PRESETS)[number] =>
      RANGE_PRESETS.find((p) => p.id === id)!
    expect(presetRange(preset('7d'), NOW)).toEqual({
      since: new Date('2026-11-13T12:16:00Z'),
      until: NOW
    })
    expect(presetRange(preset('24h'), NOW).since).toEqual(new Date('2026-11-19T12:00:00Z'))
    expect(presetRange(preset('30d'), NOW).since).toEqual(new Date('2026-10-21T12:00:00Z'))
  })

  it('needs history only beyond 7 days', () => {
    expect(needsHistory(new Date('2026-11-13T12:00:00Z'), NOW)).toBe(false)
    expect(needsHistory(new Date('2026-11-13T11:00:00Z'), NOW)).toBe(true)
  })

  it('refuses empty, reversed and future ranges with a readable reason', () => {
    expect(parseCustomRange('', '', NOW)).toEqual({ error: 'Choose when the range starts.' })
    expect(parseCustomRange('2026-11-19T10:00', '2026-11-18T10:00', NOW)).toHaveProperty('error')
    expect(parseCustomRange('2026-12-01T10:00', '', NOW)).toEqual({
      error: 'The range starts in the future.'
    })
  })

  it('clamps the end to now', () => {
    const range = parseCustomRange('2026-11-19T10:00:00Z', '2026-12-01T00:00:00Z', NOW)
    expect(range).toEqual({ since: new Date('2026-11-19T10:00:00Z'), until: NOW })
  })
})

describe('importedRange', () => {
  it('covers the whole hours of the records, at most the last 31 days of them', () => {
    expect(
      importedRange({ first: '2026-03-01T10:11:12.000Z', last: '2026-03-02T08:00:00.000Z' })
    ).toEqual({
      since: new Date('2026-03-01T10:00:00Z'),
      until: new Date('2026-03-02T09:00:00Z')
    })
    const long = importedRange({ first: '2025-01-01T00:00:00Z', last: '2026-03-02T08:30:00Z' })
    expect(long.until).toEqual(new Date('2026-03-02T09:00:00Z'))
    expect(long.until.getTime() - long.since.getTime()).toBe(MAX_IMPORTED_RANGE_HOURS * 3_600_000)
  })
})
