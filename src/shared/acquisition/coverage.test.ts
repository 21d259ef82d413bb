import { describe, expect, it } from 'vitest'

import { coverage } from './coverage'
import { LedgerDeltaSchema, LedgerSchema, applyDelta, emptyLedger, windowKey } from './ledger'
import type { LedgerBlob, LedgerWindow } from './ledger'

const T = 'd5a1c2b3-1111-4222-8333-944445555666'
const DAY0 = Date.parse('2026-11-19T00:00:00Z')
const H = 3_600_000
const NOW = new Date(DAY0 + 30 * H)

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
      windows: [win('complete', DAY0, DAY0 + 24 * H), win('listed', DAY0 + 24 * H, DAY0 + 29 * H)],
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
    expect(hours[25]?.status).toBe('pending')
    expect(hours[29]?.status).toBe('pending')
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
})
