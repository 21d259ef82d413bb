import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterEach, describe, expect, it } from 'vitest'

import { emptyDelta } from '../../../shared/acquisition'
import type { LedgerDelta } from '../../../shared/acquisition'
import { normalizeRecord } from '../../../shared/audit'
import type { NormalizedRecord } from '../../../shared/audit'

import { FileStore, StoreError } from './file-store'

const dirs: string[] = []
afterEach(async () => {
  for (const d of dirs.splice(0)) {
    await rm(d, { recursive: true, force: true })
  }
})

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'cax-store-'))
  dirs.push(d)
  return d
}

function record(n: number): NormalizedRecord {
  const id = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`
  const r = normalizeRecord(
    `{"Id":"${id}","CreationTime":"2026-11-20T10:00:00","RecordType":256,"Operation":"PutConnection"}`
  )
  if (!r.ok) {
    throw new Error(r.reason)
  }
  return r.record
}

function delta(tag: string): LedgerDelta {
  const at = '2026-11-20T10:00:00.000Z'
  return {
    ...emptyDelta(),
    blobs: [
      {
        key: `t|${tag}`,
        tenantId: 't',
        contentType: 'Audit.General',
        contentId: tag,
        contentCreated: at,
        contentExpiration: at,
        windowKey: 'w',
        status: 'done',
        received: 1,
        new: 1,
        duplicate: 0,
        rejected: 0,
        attempts: 1,
        lastError: null,
        listedAt: at,
        finishedAt: at
      }
    ]
  }
}

async function ids(store: FileStore): Promise<string[]> {
  const out: string[] = []
  for await (const r of store.records()) {
    out.push(r.id)
  }
  return out
}

describe('FileStore', () => {
  it.runIf(process.platform !== 'win32')(
    'creates its folder and files for its owner only',
    async () => {
      const dir = join(await tempDir(), 'store')
      const store = await FileStore.open(dir)
      await store.commit({ records: [record(1)], ledger: delta('a') })
      await store.close()
      expect((await stat(dir)).mode & 0o777).toBe(0o700)
      const files = await readdir(dir)
      expect(files.length).toBeGreaterThan(2)
      for (const name of files) {
        expect({ name, mode: (await stat(join(dir, name))).mode & 0o777 }).toEqual({
          name,
          mode: 0o600
        })
      }
    }
  )

  it('stores each Id once and counts repeats, within and across batches', async () => {
    const dir = await tempDir()
    const store = await FileStore.open(dir)
    expect(
      await store.commit({ records: [record(1), record(2), record(1)], ledger: delta('a') })
    ).toEqual({ new: 2, duplicates: 1 })
    expect(await store.commit({ records: [record(2), record(3)], ledger: delta('b') })).toEqual({
      new: 1,
      duplicates: 1
    })
    await store.close()
    const again = await FileStore.open(dir)
    expect(await ids(again)).toHaveLength(3)
    expect(Object.keys((await again.ledger()).blobs).sort()).toEqual(['t|a', 't|b'])
    expect([...again.duplicateCounts().entries()].sort()).toEqual([
      [record(1).id, 1],
      [record(2).id, 1]
    ])
    expect(await again.commit({ records: [record(3)], ledger: emptyDelta() })).toEqual({
      new: 0,
      duplicates: 1
    })
    await again.close()
  })

  it('recovers from a crash: torn lines cut, an uncommitted batch dropped, the journal replayed', async () => {
    const dir = await tempDir()
    // Never checkpoints while running: the ledger lives only in the journal until recovery.
    const crashed = await FileStore.open(dir, { checkpointEveryMs: 1e12 })
    await crashed.commit({ records: [record(1), record(2)], ledger: delta('a') })
    await crashed.commit({ records: [record(3), record(2)], ledger: delta('b') })
    // A batch whose records reached the disk but whose journal line did not, then a torn line.
    await appendFile(
      join(dir, 'records.ndjson'),
      `${JSON.stringify(record(4))}\n${JSON.stringify(record(5)).slice(0, 40)}`
    )
    await appendFile(join(dir, 'ids.txt'), `${record(4).id}\n`)
    await appendFile(join(dir, 'journal.ndjson'), '{"seq":3,"recordsBy')
    // No ledger checkpoint was written before the crash: the journal is all there is.
    const ledgerFile = await readFile(join(dir, 'ledger.json'), 'utf8').catch(() => null)
    expect(ledgerFile === null || JSON.parse(ledgerFile).seq === 0).toBe(true)

    const store = await FileStore.open(dir)
    expect(store.recovery.recordBytesCut).toBeGreaterThan(0)
    expect(store.recovery.isJournalRepaired).toBe(true)
    expect(store.recovery.batchesReplayed).toBe(2)
    expect((await ids(store)).sort()).toEqual([record(1).id, record(2).id, record(3).id].sort())
    expect(Object.keys((await store.ledger()).blobs).sort()).toEqual(['t|a', 't|b'])
    expect(store.duplicateCounts().get(record(2).id)).toBe(1)
    // The dropped record arrives again as new, the stored ones as duplicates.
    expect(await store.commit({ records: [record(4), record(1)], ledger: emptyDelta() })).toEqual({
      new: 1,
      duplicates: 1
    })
    await store.close()
    const reopened = await FileStore.open(dir)
    expect(await ids(reopened)).toHaveLength(4)
    expect(reopened.recovery).toEqual({
      recordBytesCut: 0,
      isJournalRepaired: false,
      batchesReplayed: 0
    })
    await reopened.close()
  })

  it('lends its Id index to an import session: one Id set, repeats counted as before', async () => {
    const dir = await tempDir()
    const store = await FileStore.open(dir, { checkpointEveryMs: 0 })
    await store.commit({ records: [record(1)], ledger: emptyDelta() })
    const session = store.importSession()
    expect(session.remember(record(1).id, 7)).toBe('duplicate')
    expect(session.remember(record(2).id, 7)).toBe('new')
    expect(session.remember(record(2).id, 7)).toBe('duplicate')
    expect(session.remember(record(2).id, 8)).toBe('conflict')
    expect(session.remember(record(3).id, 9)).toBe('new')
    // record 2's batch is committed; record 3's never is (the import stopped)
    expect(await store.commit({ records: [record(2)], ledger: emptyDelta() })).toEqual({
      new: 1,
      duplicates: 0
    })
    await session.end()
    expect(store.size).toBe(2)
    // the repeat of a stored Id is in the duplicate counts, as a commit of it would have been
    expect(store.duplicateCounts().get(record(1).id)).toBe(1)
    expect(store.importSession().remember(record(3).id, 9)).toBe('new')
    expect(await store.commit({ records: [record(3)], ledger: emptyDelta() })).toEqual({
      new: 1,
      duplicates: 0
    })
    await store.close()
    const again = await FileStore.open(dir)
    expect(again.size).toBe(3)
    expect(again.duplicateCounts().get(record(1).id)).toBe(1)
    await again.close()
  })

  it('writes records without their flattened fields and rebuilds them from raw when read', async () => {
    const dir = await tempDir()
    const store = await FileStore.open(dir)
    const written = normalizeRecord(
      '{"Id":"a1","CreationTime":"2026-11-20T10:00:00","AdditionalInfo":"{\\"ResourceId\\":\\"/apis/shared_sql\\"}","Nested":{"Deep":[1,"x"]}}'
    )
    if (!written.ok) {
      throw new Error(written.reason)
    }
    await store.commit({ records: [written.record], ledger: emptyDelta() })
    const line = JSON.parse((await readFile(join(dir, 'records.ndjson'), 'utf8')).trim()) as Record<
      string,
      unknown
    >
    expect(line.fields).toBeUndefined()
    expect(line.raw).toBe(written.record.raw)
    const read: NormalizedRecord[] = []
    for await (const r of store.records()) {
      read.push(r)
    }
    expect(read).toEqual([written.record])
    expect(read[0]?.fields['AdditionalInfo.ResourceId']).toBe('/apis/shared_sql')
    expect(read[0]?.fields['Nested.Deep[1]']).toBe('x')
    await store.close()
  })

  it('refuses a folder another live process holds', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, 'lock'), '1')
    await expect(FileStore.open(dir)).rejects.toThrow(StoreError)
  })
})
