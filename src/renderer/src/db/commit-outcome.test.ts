import { IDBKeyRange, indexedDB } from 'fake-indexeddb'
import { afterEach, describe, expect, it } from 'vitest'

import { makeRecord } from '../../../shared/audit/test-records'
import { packRecords } from '../../../shared/cache/packed-chunk'

import { AppDb } from './app-db'
import {
  commitPushedBatch,
  commitPushedChunks,
  formatBytes,
  isQuotaError,
  quotaMessage
} from './commit-outcome'

let db: AppDb | null = null
afterEach(() => db?.close())

describe('commitPushedBatch', () => {
  it('answers the counts of a committed batch', async () => {
    db = new AppDb(`outcome-${Math.random()}`, { indexedDB, IDBKeyRange })
    const a = makeRecord()
    expect(await commitPushedBatch(db, [a, a], {})).toEqual({ ok: true, new: 1, duplicates: 1 })
  })

  it('turns a full quota into a message naming the space needed, and stores nothing', async () => {
    db = new AppDb(`outcome-${Math.random()}`, { indexedDB, IDBKeyRange })
    await db.commitBatch([makeRecord()])
    const full = db
    full.columns.bulkAdd = (() => {
      const error = new Error('quota')
      error.name = 'QuotaExceededError'
      return Promise.reject(error)
    }) as never
    const records = [makeRecord({ raw: 'x'.repeat(3000) }), makeRecord({ raw: 'y'.repeat(3000) })]
    const outcome = await commitPushedBatch(full, records, {})
    expect(outcome).toMatchObject({ ok: false, code: 'QuotaExceededError' })
    expect(outcome.ok ? '' : outcome.message).toContain('needed about 11.7 KB more')
    expect(await full.countRecords()).toBe(1)
  })
})

describe('commitPushedChunks', () => {
  it('turns a full quota during a packed batch into a message naming the space needed, and stores nothing of it', async () => {
    db = new AppDb(`outcome-${Math.random()}`, { indexedDB, IDBKeyRange })
    expect(
      await commitPushedChunks(db, { chunks: packRecords([makeRecord()]), count: 1 }, {})
    ).toEqual({ ok: true, new: 1, duplicates: 0 })
    const full = db
    // The body (the raw bytes) is what no longer fits: one request of the bulk write refused.
    full.bodies.bulkAdd = (() => {
      const quota = new Error('quota')
      quota.name = 'QuotaExceededError'
      return Promise.reject(
        Object.assign(new Error('1 of 1 operations failed'), {
          name: 'BulkError',
          failures: { 0: quota }
        })
      )
    }) as never
    const records = Array.from({ length: 3 }, (_, i) =>
      makeRecord({ id: `big-${i}`, raw: `{"Id":"big-${i}","Pad":"${'p'.repeat(40_000)}"}` })
    )
    const chunks = packRecords(records)
    const outcome = await commitPushedChunks(full, { chunks, count: 3 }, { windows: [] })
    expect(outcome).toMatchObject({ ok: false, code: 'QuotaExceededError' })
    const message = outcome.ok ? '' : outcome.message
    expect(message).toContain('The disk is full or the browser storage quota is used up.')
    expect(message).toContain('this batch of 3 records needed about')
    // About the batch's packed size: ~120 KB of raw text and its columns.
    const needed = /needed about ([\d.]+) KB more/.exec(message)?.[1]
    expect(Number(needed)).toBeGreaterThan(110)
    expect(Number(needed)).toBeLessThan(260)
    expect(await full.countRecords()).toBe(1)
    expect(await full.getRecord('big-0')).toBeUndefined()
  })
})

describe('isQuotaError', () => {
  it('finds the quota error however Dexie wraps it, and nothing else', () => {
    const quota = Object.assign(new Error('q'), { name: 'QuotaExceededError' })
    expect(isQuotaError(quota)).toBe(true)
    expect(isQuotaError({ name: 'AbortError', inner: { name: 'AbortError', inner: quota } })).toBe(
      true
    )
    expect(isQuotaError({ name: 'BulkError', failures: [null, quota] })).toBe(true)
    expect(isQuotaError({ name: 'AbortError', inner: { name: 'ConstraintError' } })).toBe(false)
    expect(isQuotaError('QuotaExceededError')).toBe(false)
  })
})

describe('quotaMessage', () => {
  it('names what the cache uses and what the browser allows when it knows', () => {
    const message = quotaMessage([makeRecord({ raw: 'z'.repeat(1024) })], {
      usage: 5 * 1024 ** 3,
      quota: 5 * 1024 ** 3
    })
    expect(message).toContain('The cache uses 5.0 GB of the 5.0 GB this browser allows')
    expect(message).toContain('needed about 2.0 KB more')
  })

  it('formats sizes', () => {
    expect(formatBytes(512)).toBe('512 bytes')
    expect(formatBytes(1536)).toBe('1.5 KB')
  })
})
