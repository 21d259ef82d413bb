import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { pushToAdx } from '../../main/services/destinations/adx/adx-push'
import { PushJournal } from '../../main/services/destinations/push-journal'
import { AdxClient } from '../../main/services/sources/adx/adx-client'
import { FileStore } from '../../main/services/store/file-store'

import { DB, startAdxKit } from './adx-test-kit'
import { run as runSnapshot } from './snapshot'
import type { AdxKit } from './adx-test-kit'

const PARTS = ['--max-part-records', '100']

describe('cax push adx (against the fake Kusto cluster over HTTPS)', () => {
  let kit: AdxKit
  let ids: Set<string>

  beforeAll(async () => {
    kit = await startAdxKit()
    // A store of three days, pulled from a table of the fake cluster.
    kit.emu.kusto.seedTable(
      DB,
      'Source',
      new Date('2026-05-01T00:00:00Z'),
      new Date('2026-05-04T00:00:00Z')
    )
    const r = await kit.pull('store', [
      '--table',
      'Source',
      '--since',
      '2026-05-01T00:00:00Z',
      '--until',
      '2026-05-04T00:00:00Z'
    ])
    expect(r.code).toBe(0)
    ids = new Set(await kit.storedIds('store'))
    expect(ids.size).toBeGreaterThan(500)
  }, 120_000)

  afterAll(async () => {
    await kit?.close()
  })

  const service = async (
    table: string,
    journalPath: string,
    options: {
      client?: AdxClient
      onPartDone?: (i: number) => void
      signal?: AbortSignal
      sleeps?: number[]
    }
  ): Promise<Awaited<ReturnType<typeof pushToAdx>> | Error> => {
    const store = await FileStore.open(join(kit.dir, 'store'))
    const journal = await PushJournal.open(
      journalPath,
      {
        destination: 'adx',
        target: `${kit.cluster}/${DB}/${table}`,
        settings: { mode: 'streaming', maxPartBytes: 3_500_000, maxPartRecords: 100 }
      },
      () => 'test-run'
    )
    try {
      return await pushToAdx({
        client: options.client ?? kit.client().client,
        database: DB,
        table,
        records: () => store.records(),
        journal,
        maxPartRecords: 100,
        ...(options.onPartDone ? { onPartDone: options.onPartDone } : {}),
        ...(options.signal ? { signal: options.signal } : {})
      })
    } catch (error) {
      return error as Error
    } finally {
      await journal.close()
      await store.close()
    }
  }

  it('prints the table and mapping definitions without sending anything', async () => {
    const before = kit.emu.kusto.requests().length
    const r = await kit.push('store', ['--table', 'Printed', '--print-definitions'])
    expect(r.code).toBe(0)
    expect(r.out).toContain('.create-merge table Printed (TimeGenerated:datetime, Id:string,')
    expect(r.out).toContain(
      ".create-or-alter table Printed ingestion json mapping 'Printed_cax_v1' '[{"
    )
    expect(kit.emu.kusto.requests().length).toBe(before)
  })

  it('pushes every record once in gzip parts, verified; a rerun sends nothing', async () => {
    const before = kit.emu.kusto.requests().length
    const r = await kit.push('store', ['--table', 'Pushed', ...PARTS])
    expect(r.err).not.toMatch(/eyJ/)
    expect(r.code).toBe(0)
    const parts = Math.ceil(ids.size / 100)
    expect(r.summary).toMatchObject({
      records: ids.size,
      parts,
      sent: parts,
      verified: parts,
      unverified: []
    })
    expect(kit.emu.kusto.rowCount(DB, 'Pushed')).toBe(ids.size)
    expect(kit.emu.kusto.groundTruth(DB, 'Pushed', new Date(0), new Date('2100-01-01'))).toEqual(
      ids
    )
    const ingests = kit.emu.kusto
      .requests()
      .slice(before)
      .filter((q) => q.endpoint === 'ingest')
    expect(ingests).toHaveLength(parts)
    expect(ingests.every((q) => q.contentEncoding === 'gzip' && q.status === 200)).toBe(true)

    const again = await kit.push('store', ['--table', 'Pushed', ...PARTS])
    expect(again.code).toBe(0)
    expect(again.summary).toMatchObject({ sent: 0, skipped: parts, verified: parts })
    expect(kit.emu.kusto.rowCount(DB, 'Pushed')).toBe(ids.size)
  })

  it('survives a killed push — stopped after 3 parts, then killed after a part landed but before it was journaled — with nothing lost or doubled', async () => {
    const journal = join(kit.dir, 'killed.journal.ndjson')
    const stop = new AbortController()
    const first = await service('Killed', journal, {
      signal: stop.signal,
      onPartDone: (i) => {
        if (i === 2) {
          stop.abort(new Error('interrupted'))
        }
      }
    })
    expect(first).toBeInstanceOf(Error)
    expect(kit.emu.kusto.rowCount(DB, 'Killed')).toBe(300)

    // A client that dies right after the cluster accepted its second part.
    let ingests = 0
    const { client: base } = kit.client()
    const dying = Object.assign(
      Object.create(Object.getPrototypeOf(base) as object) as AdxClient,
      base
    )
    dying.streamIngest = async (...args: Parameters<AdxClient['streamIngest']>) => {
      const out = await base.streamIngest(...args)
      if (++ingests === 2) {
        throw new Error('killed')
      }
      return out
    }
    const second = await service('Killed', journal, { client: dying })
    expect(second).toBeInstanceOf(Error)
    expect(kit.emu.kusto.rowCount(DB, 'Killed')).toBe(500)

    const rerun = await kit.push('store', ['--table', 'Killed', '--journal', journal, ...PARTS])
    expect(rerun.code).toBe(0)
    expect(rerun.err).toMatch(/was already in Killed: not sent again/)
    expect(kit.emu.kusto.rowCount(DB, 'Killed')).toBe(ids.size)
    expect(kit.emu.kusto.groundTruth(DB, 'Killed', new Date(0), new Date('2100-01-01'))).toEqual(
      ids
    )
  })

  it('honours 429 Retry-After on ingestion', async () => {
    const sleeps: number[] = []
    const { client } = kit.client({
      sleep: async (ms) => {
        sleeps.push(ms)
      }
    })
    kit.emu.kusto.failNext([{ on: 'ingest', status: 429, retryAfterSeconds: 7 }])
    const r = await service('Throttled', join(kit.dir, 'throttled.journal.ndjson'), { client })
    expect(r).not.toBeInstanceOf(Error)
    expect((r as { throttled: number }).throttled).toBe(1)
    expect(sleeps).toContain(7000)
    expect(kit.emu.kusto.rowCount(DB, 'Throttled')).toBe(ids.size)
  })

  it('inline mode (ingest-by tags): a second push with a new journal doubles nothing', async () => {
    const one = await kit.push('store', [
      '--table',
      'Inline',
      '--mode',
      'inline',
      '--journal',
      join(kit.dir, 'i1.ndjson'),
      ...PARTS
    ])
    expect(one.code).toBe(0)
    const two = await kit.push('store', [
      '--table',
      'Inline',
      '--mode',
      'inline',
      '--journal',
      join(kit.dir, 'i2.ndjson'),
      ...PARTS
    ])
    expect(two.code).toBe(0)
    expect(kit.emu.kusto.rowCount(DB, 'Inline')).toBe(ids.size)
    expect(two.summary).toMatchObject({ unverified: [] })
  })

  it('pushes a verified snapshot, and refuses a tampered one (exit 5) before sending anything', async () => {
    const file = join(kit.dir, 'store.caxsnap')
    const io = {
      stdout: { write: () => true },
      stderr: { write: () => true },
      env: {},
      cwd: kit.dir
    }
    expect(await runSnapshot(['--store', join(kit.dir, 'store'), '--out', file], io)).toBe(0)
    const r = await kit.push(null, ['--snapshot', file, '--table', 'FromSnapshot', ...PARTS])
    expect(r.err).toMatch(/verifying/)
    expect(r.code).toBe(0)
    expect(
      kit.emu.kusto.groundTruth(DB, 'FromSnapshot', new Date(0), new Date('2100-01-01'))
    ).toEqual(ids)
    expect(kit.emu.kusto.rowCount(DB, 'FromSnapshot')).toBe(ids.size)

    const bytes = await readFile(file)
    const at = Math.floor(bytes.length / 3)
    bytes[at] = (bytes[at] ?? 0) ^ 0xff
    const bad = join(kit.dir, 'bad.caxsnap')
    await writeFile(bad, bytes)
    const before = kit.emu.kusto.requests().length
    const refused = await kit.push(null, ['--snapshot', bad, '--table', 'Tampered', ...PARTS])
    expect(refused.code).toBe(5)
    expect(kit.emu.kusto.requests().length).toBe(before)
  })

  it('refuses a journal of another target (exit 2) and a table it may not create (exit 4); an ingestor pushes into an existing table', async () => {
    const journal = join(kit.dir, 'other.journal.ndjson')
    expect((await kit.push('store', ['--table', 'One', '--journal', journal, ...PARTS])).code).toBe(
      0
    )
    const wrong = await kit.push('store', ['--table', 'Two', '--journal', journal, ...PARTS])
    expect(wrong.code).toBe(2)
    expect(wrong.err).toMatch(/is the journal of a push to adx/)
    kit.emu.kusto.setRole('aadapp=5c4b3a29-1111-4222-8333-944455556666', 'viewer')
    try {
      const denied = await kit.push('store', ['--table', 'Denied', ...PARTS])
      expect(denied.code).toBe(4)
      expect(denied.err).toMatch(/needs the database Admin role.*--print-definitions/)
      // Ingestor and Viewer push into a table an admin created; nothing is doubled.
      kit.emu.kusto.setRole('aadapp=5c4b3a29-1111-4222-8333-944455556666', ['ingestor', 'viewer'])
      const ingestor = await kit.push('store', [
        '--table',
        'One',
        '--journal',
        join(kit.dir, 'ingestor.journal.ndjson'),
        ...PARTS
      ])
      expect(ingestor.code).toBe(0)
      expect(ingestor.err).toMatch(/already exist; pushing without creating them/)
      expect(ingestor.summary).toMatchObject({ sent: 0, unverified: [] })
      expect(kit.emu.kusto.rowCount(DB, 'One')).toBe(ids.size)
    } finally {
      kit.emu.kusto.setRole('aadapp=5c4b3a29-1111-4222-8333-944455556666', 'admin')
    }
  })
})
