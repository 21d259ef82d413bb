import { describe, expect, it } from 'vitest'

import { coverage } from './coverage'
import {
  LedgerDeltaSchema,
  LedgerSchema,
  applyDelta,
  emptyLedger,
  queryKey,
  windowKey
} from './ledger'
import type { LedgerBlob, LedgerQuery, LedgerWindow } from './ledger'
import { advanceSettled } from './settle'

const T = 'd5a1c2b3-1111-4222-8333-944445555666'
const DAY0 = Date.parse('2026-11-19T00:00:00Z')
const H = 3_600_000
const NOW = new Date(DAY0 + 30 * H)

const iso = (ms: number): string => new Date(ms).toISOString()

function win(status: LedgerWindow['status'], start: number, end: number): LedgerWindow {
  return {
    key: windowKey('management', T, 'Audit.General', start),
    tenantId: T,
    source: 'management',
    contentType: 'Audit.General',
    start: new Date(start).toISOString(),
    end: new Date(end).toISOString(),
    status,
    listed: 0,
    received: 0,
    new: 0,
    duplicate: 0,
    rejected: 0,
    failedBlobs: 0,
    expiredBlobs: 0,
    attempts: 1,
    listCount: 1,
    lastError: null,
    firstListedAt: null,
    lastListedAt: null,
    completedAt: null,
    updatedAt: NOW.toISOString()
  }
}

function blob(id: string, created: number, status: LedgerBlob['status']): LedgerBlob {
  return {
    key: `${T}|${id}`,
    tenantId: T,
    contentType: 'Audit.General',
    contentId: id,
    contentCreated: new Date(created).toISOString(),
    contentExpiration: new Date(created + 7 * 24 * H).toISOString(),
    windowKey: '',
    status,
    received: 0,
    new: 0,
    duplicate: 0,
    rejected: 0,
    attempts: 1,
    lastError: null,
    listedAt: NOW.toISOString(),
    finishedAt: null
  }
}

describe('coverage', () => {
  it('reports complete, gap, partial and pending hours', () => {
    const ledger = applyDelta(emptyLedger(), {
      windows: [
        win('complete', DAY0, DAY0 + 24 * H),
        // Listed right at its end: all but its last hour are settled.
        { ...win('listed', DAY0 + 24 * H, DAY0 + 29 * H), lastListedAt: iso(DAY0 + 29 * H) }
      ],
      blobs: [
        blob('a', DAY0 + 2 * H + 5, 'expired'),
        blob('b', DAY0 + 3 * H + 5, 'failed'),
        blob('c', DAY0 + 4 * H, 'done')
      ],
      queries: []
    })
    const hours = coverage(ledger, { start: new Date(DAY0), end: new Date(DAY0 + 32 * H) }, NOW)
    expect(hours).toHaveLength(32)
    expect(hours[0]?.status).toBe('complete')
    expect(hours[2]?.status).toBe('gap')
    expect(hours[3]?.status).toBe('partial')
    expect(hours[4]?.status).toBe('complete')
    expect(hours[25]?.status).toBe('complete')
    expect(hours[28]?.status).toBe('pending')
    expect(hours[28]?.reason).toMatch(/settle delay.*after 2026-11-20 05:15 UTC/)
    expect(hours[29]?.status).toBe('pending')
    expect(hours[29]?.reason).toMatch(/^not requested/)
    expect(hours[31]?.status).toBe('pending')
  })

  it('calls hours nobody acquired and the API can no longer reach a gap', () => {
    const hours = coverage(
      emptyLedger(),
      { start: new Date(DAY0 - 9 * 24 * H), end: new Date(DAY0 - 9 * 24 * H + H) },
      NOW
    )
    expect(hours.map((h) => h.status)).toEqual(['gap'])
    const recent = coverage(emptyLedger(), { start: new Date(DAY0), end: new Date(DAY0 + H) }, NOW)
    expect(recent.map((h) => h.status)).toEqual(['pending'])
  })

  it('a partly covered hour is not complete', () => {
    const ledger = applyDelta(emptyLedger(), {
      windows: [win('complete', DAY0, DAY0 + H / 2)],
      blobs: [],
      queries: []
    })
    expect(
      coverage(ledger, { start: new Date(DAY0), end: new Date(DAY0 + H) }, NOW)[0]?.status
    ).toBe('pending')
    expect(
      coverage(ledger, { start: new Date(DAY0), end: new Date(DAY0 + H) }, NOW)[0]?.reason
    ).toMatch(/^partly requested/)
  })

  it('schemas round-trip a ledger and refuse a broken delta', () => {
    const ledger = applyDelta(emptyLedger(), {
      windows: [win('complete', DAY0, DAY0 + H)],
      blobs: [blob('x', DAY0, 'done')],
      queries: []
    })
    expect(LedgerSchema.parse(JSON.parse(JSON.stringify(ledger)))).toEqual(ledger)
    expect(
      LedgerDeltaSchema.safeParse({ windows: [{ key: 'x' }], blobs: [], queries: [] }).success
    ).toBe(false)
  })

  it('judges settling per hour: a sync at 18:00 leaves only its last hour pending, saying until when', () => {
    const listedAt = DAY0 + 18 * H
    const listed = {
      ...win('listed', DAY0, DAY0 + 18 * H),
      lastListedAt: new Date(listedAt).toISOString(),
      settledUntil: new Date(listedAt - 15 * 60_000).toISOString()
    }
    const at = new Date(listedAt + 60_000)
    const hours = coverage(
      applyDelta(emptyLedger(), { windows: [listed], blobs: [], queries: [] }),
      { start: new Date(DAY0), end: new Date(DAY0 + 18 * H) },
      at
    )
    expect(hours.filter((h) => h.status === 'complete')).toHaveLength(17)
    expect(hours[17]).toMatchObject({ status: 'pending' })
    expect(hours[17]?.reason).toMatch(/listed at 2026-11-19 18:00 UTC.*after 2026-11-19 18:15 UTC/)
    // A ledger written before settledUntil existed is read the same way.
    const { settledUntil: _, ...old } = listed
    const before = coverage(
      applyDelta(emptyLedger(), { windows: [old], blobs: [], queries: [] }),
      { start: new Date(DAY0), end: new Date(DAY0 + 18 * H) },
      at
    )
    expect(before.map((h) => h.status)).toEqual(hours.map((h) => h.status))
  })

  it('moves the settled frontier only over hours a listing covered without a hole', () => {
    const base = { windowStart: DAY0, listEnd: DAY0 + 20 * H, settleMs: 15 * 60_000 }
    const listedAt = DAY0 + 20 * H
    expect(advanceSettled({ ...base, previous: null, listStart: DAY0, listedAt })).toBe(
      listedAt - 15 * 60_000
    )
    // A listing of 12:00–20:00 cannot settle 06:00–12:00, which no late listing covered.
    expect(
      advanceSettled({ ...base, previous: DAY0 + 6 * H, listStart: DAY0 + 12 * H, listedAt })
    ).toBe(DAY0 + 6 * H)
    expect(
      advanceSettled({ ...base, previous: DAY0 + 13 * H, listStart: DAY0 + 12 * H, listedAt })
    ).toBe(listedAt - 15 * 60_000)
  })

  it('reports the range asked for: hours nobody requested and hours a stopped pull never tried', () => {
    const planned = win('pending', DAY0 + 24 * H, DAY0 + 30 * H)
    planned.attempts = 0
    planned.listCount = 0
    const ledger = applyDelta(emptyLedger(), {
      windows: [{ ...win('complete', DAY0, DAY0 + 24 * H) }, planned],
      blobs: [],
      queries: []
    })
    const hours = coverage(
      ledger,
      { start: new Date(DAY0 - 2 * H), end: new Date(DAY0 + 26 * H) },
      NOW
    )
    expect(hours[0]).toMatchObject({ status: 'pending' })
    expect(hours[0]?.reason).toMatch(/^not requested: .* before 2026-11-25 22:00 UTC/)
    expect(hours.slice(2, 26).every((h) => h.status === 'complete')).toBe(true)
    expect(hours[26]).toMatchObject({
      status: 'partial',
      reason: 'not tried: the pull stopped before it; the next pull fetches it'
    })
    const running = coverage(
      ledger,
      { start: new Date(DAY0 + 24 * H), end: new Date(DAY0 + 25 * H), isSyncing: true },
      NOW
    )
    expect(running[0]).toMatchObject({
      status: 'pending',
      reason: 'not tried yet: the sync has not reached it'
    })
    const old = coverage(
      emptyLedger(),
      { start: new Date(DAY0 - 9 * 24 * H), end: new Date(DAY0 - 9 * 24 * H + H) },
      NOW
    )
    expect(old[0]?.reason).toMatch(/^not requested or out of reach: older than the 7 days/)
  })

  it('Graph: hours of a succeeded query are complete inside a day whose other half failed', () => {
    const day = DAY0 - 10 * 24 * H
    const window: LedgerWindow = {
      ...win('partial', day, day + 24 * H),
      key: windowKey('graph', T, 'power-platform', day),
      source: 'graph',
      contentType: 'power-platform'
    }
    const query = (start: number, end: number, status: LedgerQuery['status']): LedgerQuery => ({
      key: queryKey(T, 'power-platform', start, end),
      tenantId: T,
      windowKey: window.key,
      queryId: 'q',
      start: new Date(start).toISOString(),
      end: new Date(end).toISOString(),
      recordTypes: [],
      status,
      approximateCount: null,
      isRecordCountLimitExceeded: false,
      received: 0,
      new: 0,
      duplicate: 0,
      rejected: 0,
      attempts: 3,
      lastError:
        status === 'failed'
          ? { code: 'graph-query-failed', message: "The query ended 'failed' on the server" }
          : null,
      createdAt: NOW.toISOString(),
      finishedAt: NOW.toISOString()
    })
    const ledger = applyDelta(emptyLedger(), {
      windows: [window],
      blobs: [],
      queries: [query(day, day + 12 * H, 'succeeded'), query(day + 12 * H, day + 24 * H, 'failed')]
    })
    const hours = coverage(ledger, { start: new Date(day), end: new Date(day + 24 * H) }, NOW)
    expect(hours.slice(0, 12).every((h) => h.status === 'complete')).toBe(true)
    expect(hours.slice(12).every((h) => h.status === 'partial')).toBe(true)
    expect(hours[12]?.reason).toBe(
      "The query ended 'failed' on the server; the next sync queries it again"
    )
  })

  it('Workspace: succeeded spans cover their hours once the window settled, not before', () => {
    const day = DAY0 - 3 * 24 * H
    const label = 'PowerAppsActivity@0f0f0f0f-1111-4222-8333-944445555666'
    const window = (status: LedgerWindow['status']): LedgerWindow => ({
      ...win(status, day, day + 24 * H),
      key: windowKey('workspace', T, label, day),
      source: 'workspace',
      contentType: label
    })
    const span: LedgerQuery = {
      key: queryKey(T, label, day, day + 24 * H),
      tenantId: T,
      windowKey: windowKey('workspace', T, label, day),
      queryId: null,
      start: iso(day),
      end: iso(day + 24 * H),
      recordTypes: [],
      status: 'succeeded',
      approximateCount: 10,
      isRecordCountLimitExceeded: false,
      received: 10,
      new: 10,
      duplicate: 0,
      rejected: 0,
      attempts: 1,
      lastError: null,
      createdAt: NOW.toISOString(),
      finishedAt: NOW.toISOString()
    }
    const range = {
      start: new Date(day),
      end: new Date(day + 24 * H),
      source: 'workspace' as const
    }
    const settled = coverage(
      applyDelta(emptyLedger(), { windows: [window('complete')], blobs: [], queries: [span] }),
      range,
      NOW
    )
    expect(settled.every((h) => h.status === 'complete')).toBe(true)
    const unsettled = coverage(
      applyDelta(emptyLedger(), { windows: [window('listed')], blobs: [], queries: [span] }),
      range,
      NOW
    )
    expect(unsettled.some((h) => h.status === 'complete')).toBe(false)
    // Read before its day ended: the hours wait for the re-read, they are not a stopped pull.
    expect(unsettled.every((h) => h.status === 'pending')).toBe(true)
    expect(unsettled[0]?.reason).toBe(
      `read from the workspace before its day ended; a sync after ${iso(day + 24 * H)
        .slice(0, 16)
        .replace('T', ' ')} UTC reads the day again and settles it`
    )
  })
})
