import { describe, expect, it } from 'vitest'

import { coverage, coverageRuns } from './coverage'
import { FileCoverage, HourTallies, tallyHours } from './file-coverage'
import { applyDelta, emptyLedger, LedgerSchema, windowKey } from './ledger'
import type { LedgerWindow } from './ledger'

const T = 'D5A1C2B3-1111-4222-8333-944445555666'
const t = T.toLowerCase()
const H = 3_600_000
const DAY0 = Date.parse('2026-11-19T00:00:00Z')
const NOW = new Date(DAY0 + 3 * 24 * H)
const AT = NOW.toISOString()

function record(ms: number, tenant = T): { organizationId: string; createdAtMs: number } {
  return { organizationId: tenant, createdAtMs: ms }
}

function apiWindow(start: number, end: number): LedgerWindow {
  return {
    key: windowKey('management', t, 'Audit.General', start),
    tenantId: t,
    source: 'management',
    contentType: 'Audit.General',
    start: new Date(start).toISOString(),
    end: new Date(end).toISOString(),
    status: 'complete',
    listed: 1,
    received: 1,
    new: 1,
    duplicate: 0,
    rejected: 0,
    failedBlobs: 0,
    expiredBlobs: 0,
    attempts: 1,
    listCount: 1,
    lastError: null,
    firstListedAt: new Date(end + H).toISOString(),
    lastListedAt: new Date(end + H).toISOString(),
    completedAt: new Date(end + H).toISOString(),
    updatedAt: new Date(end + H).toISOString(),
    settledUntil: new Date(end).toISOString()
  }
}

describe('tallyHours', () => {
  it('counts records by lower-cased tenant and UTC hour, skipping records without a time', () => {
    const tallies = tallyHours([
      record(DAY0 + 5 * 60_000),
      record(DAY0 + 59 * 60_000, t),
      record(DAY0 + H),
      record(Number.NaN)
    ])
    expect(tallies).toEqual([
      { tenantId: t, hourMs: DAY0, count: 2 },
      { tenantId: t, hourMs: DAY0 + H, count: 1 }
    ])
  })
})

describe('HourTallies', () => {
  it('adds each tenant spelt in any case to one set of hours, tenants in the order first seen', () => {
    const other = '0B0C0D0E-2222-4333-8444-955556666777'
    const tallies = new HourTallies()
    tallies.add(other, DAY0 + 2 * H)
    tallies.add(T, DAY0 + 10)
    tallies.add(t, DAY0 + H - 1)
    tallies.add(other.toLowerCase(), DAY0 + 2 * H + 5)
    tallies.add('d5a1C2B3-1111-4222-8333-944445555666', DAY0 + 3 * H)
    tallies.add(T, Number.POSITIVE_INFINITY)
    expect(tallies.values()).toEqual([
      { tenantId: other.toLowerCase(), hourMs: DAY0 + 2 * H, count: 2 },
      { tenantId: t, hourMs: DAY0, count: 2 },
      { tenantId: t, hourMs: DAY0 + 3 * H, count: 1 }
    ])
  })
})

describe('FileCoverage', () => {
  it('keeps one window per tenant and UTC day, from the first to the end of the last hour', () => {
    const files = new FileCoverage({ importKey: 'imp-1', name: 'audit.csv', at: AT })
    const first = files.add(tallyHours([record(DAY0 + 3 * H + 1), record(DAY0 + 26 * H)]))
    expect(first.map((w) => [w.start, w.end, w.received])).toEqual([
      ['2026-11-19T03:00:00.000Z', '2026-11-19T04:00:00.000Z', 1],
      ['2026-11-20T02:00:00.000Z', '2026-11-20T03:00:00.000Z', 1]
    ])
    // A later batch widens the first day's window and reports only what it touched.
    const second = files.add(tallyHours([record(DAY0 + 9 * H), record(DAY0 + 9 * H + 5)]))
    expect(second).toHaveLength(1)
    expect(second[0]).toMatchObject({
      key: `file|${t}|imp-1|2026-11-19T00:00:00.000Z`,
      source: 'file',
      contentType: 'file:audit.csv',
      start: '2026-11-19T03:00:00.000Z',
      end: '2026-11-19T10:00:00.000Z',
      status: 'complete',
      received: 3
    })
    expect(files.windows()).toHaveLength(2)
    expect(files.span()).toEqual({
      start: '2026-11-19T03:00:00.000Z',
      end: '2026-11-20T03:00:00.000Z'
    })
    // The windows are valid ledger entries (they travel in ledger deltas and snapshots).
    const ledger = applyDelta(emptyLedger(), { windows: files.windows(), blobs: [], queries: [] })
    expect(LedgerSchema.safeParse(ledger).success).toBe(true)
  })

  it('has no span before any record', () => {
    expect(new FileCoverage({ importKey: 'x', name: 'a', at: AT }).span()).toBeNull()
  })
})

describe('coverage of imported hours', () => {
  const files = new FileCoverage({ importKey: 'imp-1', name: 'purview.csv', at: AT })
  files.add(tallyHours([record(DAY0 + 2 * H), record(DAY0 + 4 * H + 30 * 60_000)]))

  it('shows hours covered only by a file as imported, never complete, with the file named', () => {
    const ledger = applyDelta(emptyLedger(), { windows: files.windows(), blobs: [], queries: [] })
    const hours = coverage(ledger, { start: new Date(DAY0), end: new Date(DAY0 + 6 * H) }, NOW)
    expect(hours.map((h) => h.status)).toEqual([
      'pending',
      'pending',
      'imported',
      'imported',
      'imported',
      'pending'
    ])
    expect(hours[2]?.reason).toMatch(
      /^imported from a file \(purview\.csv\), not checked against the API; from the API: pending, not requested/
    )
    expect(hours.some((h) => h.status === 'complete')).toBe(false)
  })

  it('lets the API make an hour complete even where a file brought records too', () => {
    const ledger = applyDelta(emptyLedger(), {
      windows: [...files.windows(), apiWindow(DAY0 + 3 * H, DAY0 + 4 * H)],
      blobs: [],
      queries: []
    })
    const hours = coverage(
      ledger,
      { start: new Date(DAY0 + 2 * H), end: new Date(DAY0 + 5 * H) },
      NOW
    )
    expect(hours.map((h) => h.status)).toEqual(['imported', 'complete', 'imported'])
    expect(coverageRuns(hours).map((r) => r.status)).toEqual(['imported', 'complete', 'imported'])
  })

  it('honours the tenant and source filters', () => {
    const ledger = applyDelta(emptyLedger(), { windows: files.windows(), blobs: [], queries: [] })
    const range = { start: new Date(DAY0 + 2 * H), end: new Date(DAY0 + 3 * H) }
    expect(coverage(ledger, { ...range, tenantId: 'other' }, NOW)[0]?.status).toBe('pending')
    expect(coverage(ledger, { ...range, source: 'management' }, NOW)[0]?.status).toBe('pending')
    expect(coverage(ledger, { ...range, source: 'file' }, NOW)[0]?.status).toBe('imported')
  })
})
