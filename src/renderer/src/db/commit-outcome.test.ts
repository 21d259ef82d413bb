import { IDBKeyRange, indexedDB } from 'fake-indexeddb'
import { afterEach, describe, expect, it } from 'vitest'

import { makeRecord } from '../explorer/test-records'

import { AppDb } from './app-db'
import { commitPushedBatch, formatBytes, quotaMessage } from './commit-outcome'

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
