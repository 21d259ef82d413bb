import { IDBKeyRange, indexedDB } from 'fake-indexeddb'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { makeRecord } from '../../../shared/audit/test-records'

import type { LedgerBlob, LedgerQuery, LedgerWindow } from '../../../shared/acquisition'

import { AppDb, normalizeTags, toLedgerRow, type LedgerEntry } from './app-db'

let db: AppDb

beforeEach(async () => {
  db = new AppDb(`test-${Math.random()}`, { indexedDB, IDBKeyRange })
  await db.open()
})

afterEach(async () => {
  await db.reset()
  db.close()
})

describe('AppDb.commitBatch', () => {
  it('stores new records once and counts repeats as duplicates', async () => {
    const a = makeRecord()
    const b = makeRecord()
    expect(await db.commitBatch([a, b, a], {})).toEqual({ new: 2, duplicates: 1 })
    expect(await db.commitBatch([b, makeRecord()], {})).toEqual({ new: 1, duplicates: 1 })
    expect(await db.countRecords()).toBe(3)
    expect(await db.duplicateCount(a.id)).toBe(1)
    expect(await db.duplicateCount(b.id)).toBe(1)
    expect(await db.countDuplicates()).toBe(2)
    // A record repeated in its own batch and again later adds up, per record.
    const c = makeRecord()
    expect(await db.commitBatch([c, c, c, a], {})).toEqual({ new: 1, duplicates: 3 })
    expect(await db.commitBatch([c], {})).toEqual({ new: 0, duplicates: 1 })
    expect(await db.duplicateCount(c.id)).toBe(3)
    expect(await db.duplicateCount(a.id)).toBe(2)
    expect(await db.duplicateCount('never-seen')).toBe(0)
    expect(await db.countDuplicates()).toBe(6)
  })

  it('numbers records in arrival order so the index can load what is new', async () => {
    const first = [makeRecord(), makeRecord()]
    await db.commitBatch(first)
    const later = makeRecord()
    await db.commitBatch([later, first[0]!])
    const rows = await db.recordsAfter(2)
    expect(rows.map((r) => [r.id, r.seq])).toEqual([[later.id, 3]])
  })

  it('stores the ledger delta in the same transaction', async () => {
    await db.commitBatch([makeRecord()], {
      windows: [{ key: 'w1', tenantId: 't', status: 'done', blobs: 2 } as unknown as LedgerWindow],
      blobs: [{ contentId: 'b1', tenantId: 't', status: 'fetched' } as unknown as LedgerBlob],
      queries: [{ id: 'q1', status: 'running' } as unknown as LedgerQuery]
    })
    expect(await db.ledger('windows', 't')).toEqual([
      {
        key: 'w1',
        tenantId: 't',
        status: 'done',
        entry: { key: 'w1', tenantId: 't', status: 'done', blobs: 2 }
      }
    ])
    expect((await db.ledger('blobs'))[0]?.key).toBe('b1')
    expect((await db.ledger('queries'))[0]).toMatchObject({
      key: 'q1',
      tenantId: '',
      status: 'running'
    })
  })

  it('rolls back records when the ledger cannot be stored', async () => {
    const bad = { key: 'w', fn: () => 1 }
    await expect(
      db.commitBatch([makeRecord()], { windows: [bad as unknown as LedgerWindow] })
    ).rejects.toThrow()
    expect(await db.countRecords()).toBe(0)
  })
})

describe('AppDb snapshot import', () => {
  it('merges imported annotations in the commit and lists them all for an export', async () => {
    const a = makeRecord()
    const b = makeRecord()
    await db.commitBatch([a])
    await db.setAnnotation(a.id, ['mine'], 'my note')
    await db.commitBatch([a, b], {}, [
      { id: a.id, tags: ['reviewed', 'mine'], comment: 'their note' },
      { id: b.id, tags: ['reviewed'], comment: '' }
    ])
    expect(await db.countRecords()).toBe(2)
    expect(await db.allAnnotations()).toEqual({
      [a.id]: { tags: ['mine', 'reviewed'], comment: 'my note' },
      [b.id]: { tags: ['reviewed'], comment: '' }
    })
  })
})

describe('AppDb annotations and settings', () => {
  it('bulk-tags records without duplicating a tag and keeps comments', async () => {
    await db.setAnnotation('a', ['review', ' review '], 'look at this')
    expect(await db.addTag(['a', 'b', 'c'], 'review')).toBe(2)
    expect(await db.addTag(['a', 'b'], 'review')).toBe(0)
    expect(await db.annotation('a')).toMatchObject({ tags: ['review'], comment: 'look at this' })
    expect((await db.annotation('b')).tags).toEqual(['review'])
    expect(await db.allTags()).toEqual(['review'])
    await db.setAnnotation('a', [], '')
    expect(await db.annotations.get('a')).toBeUndefined()
  })

  it('keeps settings per profile', async () => {
    await db.putSetting('p1', 'layout', [1])
    expect(await db.getSetting('p1', 'layout', [])).toEqual([1])
    expect(await db.getSetting('p2', 'layout', [])).toEqual([])
  })
})

describe('AppDb saved filters', () => {
  it('creates, updates, renames and deletes, refusing a name twice', async () => {
    const row = await db.createSavedFilter(' Shared ', { q: 1 })
    expect(row.name).toBe('Shared')
    await expect(db.createSavedFilter('Shared', {})).rejects.toThrow()
    await db.updateSavedFilter(row.id, { q: 2 })
    await db.renameSavedFilter(row.id, 'Shared connections')
    expect(await db.listSavedFilters()).toMatchObject([
      { name: 'Shared connections', spec: { q: 2 } }
    ])
    await db.deleteSavedFilter(row.id)
    expect(await db.listSavedFilters()).toEqual([])
  })
})

describe('helpers', () => {
  it('normalizes tags and keys ledger entries', () => {
    expect(normalizeTags([' a', 'a', '', 'b'])).toEqual(['a', 'b'])
    expect(toLedgerRow({ status: 'x' } as unknown as LedgerEntry).key).toBe('{"status":"x"}')
  })
})
