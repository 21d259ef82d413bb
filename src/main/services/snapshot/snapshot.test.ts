import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import yazl from 'yazl'

import { emptyLedger } from '../../../shared/acquisition'
import type { Ledger } from '../../../shared/acquisition'
import { testRecord } from '../../../shared/export/test-records'
import { encodeLogEntry, nextLogEntry } from '../../../shared/snapshot'
import type { AcquisitionLogEntry } from '../../../shared/snapshot'

import { nodeSha256 } from './node-sha256'
import { SnapshotReader, verifySnapshot } from './snapshot-reader'
import { writeSnapshot } from './snapshot-writer'
import { ZipReader } from './zip-reader'

let dir = ''
let good = ''
const records = [
  testRecord('11111111-aaaa-4bbb-8ccc-000000000001'),
  testRecord('22222222-aaaa-4bbb-8ccc-000000000002', { Operation: 'DeleteConnection' })
]
records[1]!.raw = records[1]!.raw.replace('{', '{\n  ')
const log: AcquisitionLogEntry[] = []
for (const source of ['a.csv', 'b.csv', 'c.csv']) {
  log.push(
    nextLogEntry(
      log,
      {
        at: '2026-05-19T10:00:00.000Z',
        actor: 'auditor',
        action: 'import',
        source,
        parameters: {},
        counts: { records: 1 }
      },
      nodeSha256
    )
  )
}
const ledger: Ledger = emptyLedger()

async function readAll(path: string): Promise<{ name: string; data: Buffer }[]> {
  const zip = await ZipReader.open(path)
  const out: { name: string; data: Buffer }[] = []
  for (const name of zip.names) {
    out.push({ name, data: Buffer.from(await zip.text(name), 'utf8') })
  }
  zip.close()
  return out
}

async function rezip(
  name: string,
  mutate: (parts: { name: string; data: Buffer }[]) => { name: string; data: Buffer }[]
): Promise<string> {
  const parts = mutate(await readAll(good))
  const out = join(dir, name)
  const zip = new yazl.ZipFile()
  for (const p of parts) {
    zip.addBuffer(p.data, p.name)
  }
  zip.end()
  const chunks: Buffer[] = []
  for await (const c of zip.outputStream) {
    chunks.push(c as Buffer)
  }
  await writeFile(out, Buffer.concat(chunks))
  return out
}

const edit = (part: string, fn: (t: string) => string) => (ps: { name: string; data: Buffer }[]) =>
  ps.map((p) =>
    p.name === part ? { name: p.name, data: Buffer.from(fn(p.data.toString('utf8'))) } : p
  )

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cax-snap-'))
  good = join(dir, 'good.caxsnap')
  await writeSnapshot(good, {
    records,
    ledger,
    annotations: { [records[0]!.id]: { tags: ['reviewed'], comment: 'ok' } },
    acquisitionLog: log,
    appVersion: '0.1.0',
    createdAt: new Date('2026-05-20T00:00:00Z')
  })
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('snapshot write → read', () => {
  it('round-trips records byte for byte, ledger, annotations and the log', async () => {
    const reader = await SnapshotReader.open(good)
    expect(reader.manifest).toMatchObject({
      recordCount: 2,
      annotationCount: 1,
      appVersion: '0.1.0'
    })
    const back = []
    for await (const r of reader.records()) {
      back.push(r)
    }
    expect(back.map((r) => r.raw)).toEqual(records.map((r) => r.raw))
    expect(back[1]?.operation).toBe('DeleteConnection')
    expect(await reader.ledger()).toEqual(ledger)
    expect(await reader.annotations()).toEqual({
      [records[0]!.id]: { tags: ['reviewed'], comment: 'ok' }
    })
    expect(await reader.acquisitionLog()).toEqual(log)
    reader.close()
    const report = await verifySnapshot(good)
    expect(report.failures).toEqual([])
    expect(report.ok).toBe(true)
    expect(report.verifiedParts).toHaveLength(4)
    expect(await verifySnapshot(good, { expectedFingerprint: 'f'.repeat(64) })).toMatchObject({
      ok: false
    })
  })

  it('refuses to write a broken log chain', async () => {
    await expect(
      writeSnapshot(join(dir, 'x.caxsnap'), {
        records: [],
        ledger,
        annotations: {},
        acquisitionLog: [log[1]!],
        appVersion: '0'
      })
    ).rejects.toThrow(/not a valid chain/)
  })
})

describe('verification catches tampering', () => {
  it.each([
    'records.ndjson',
    'ledger.json',
    'annotations.json',
    'acquisition-log.ndjson',
    'manifest.json'
  ])('a single changed byte inside %s', async (part) => {
    const bytes = await readFile(good)
    const zip = await ZipReader.open(good)
    const loc = zip.location(part)!
    zip.close()
    const nameLen = bytes.readUInt16LE(loc.localHeaderOffset + 26)
    const extraLen = bytes.readUInt16LE(loc.localHeaderOffset + 28)
    const at = loc.localHeaderOffset + 30 + nameLen + extraLen + Math.floor(loc.compressedSize / 2)
    bytes[at] = (bytes[at] ?? 0) ^ 0x01
    const path = join(dir, `flip-${part}`)
    await writeFile(path, bytes)
    const report = await verifySnapshot(path)
    expect(report.ok).toBe(false)
    expect(report.failures.map((f) => f.part)).toContain(part)
  })

  it('a changed byte in the uncompressed records (same size)', async () => {
    const path = await rezip(
      'rec.caxsnap',
      edit('records.ndjson', (t) => t.replace('PutConnection', 'PutConnectiom'))
    )
    const report = await verifySnapshot(path)
    expect(report.failures).toEqual([
      expect.objectContaining({ part: 'records.ndjson', code: 'part-hash-mismatch' })
    ])
  })

  it('a removed part and an added part', async () => {
    const removed = await verifySnapshot(
      await rezip('removed.caxsnap', (ps) => ps.filter((p) => p.name !== 'ledger.json'))
    )
    expect(removed.failures).toEqual([
      expect.objectContaining({ part: 'ledger.json', code: 'part-missing' })
    ])
    const added = await verifySnapshot(
      await rezip('added.caxsnap', (ps) => [...ps, { name: 'extra.txt', data: Buffer.from('x') }])
    )
    expect(added.failures).toEqual([
      expect.objectContaining({ part: 'extra.txt', code: 'part-unexpected' })
    ])
  })

  it('an edited log entry and a reordered log', async () => {
    const edited = await verifySnapshot(
      await rezip(
        'log-edit.caxsnap',
        edit('acquisition-log.ndjson', (t) => t.replace('b.csv', 'z.csv'))
      )
    )
    expect(edited.ok).toBe(false)
    expect(edited.failures.map((f) => f.code)).toEqual(
      expect.arrayContaining(['part-hash-mismatch', 'log-chain-broken'])
    )
    expect(edited.failures.find((f) => f.code === 'log-chain-broken')?.message).toMatch(/line 3/)
    const reordered = await verifySnapshot(
      await rezip(
        'log-order.caxsnap',
        edit('acquisition-log.ndjson', () =>
          [log[0]!, log[2]!, log[1]!].map((e) => `${encodeLogEntry(e)}\n`).join('')
        )
      )
    )
    expect(reordered.failures.every((f) => f.part === 'acquisition-log.ndjson')).toBe(true)
    expect(reordered.failures.map((f) => f.code)).toContain('log-chain-broken')
  })

  it('an edited manifest', async () => {
    const report = await verifySnapshot(
      await rezip(
        'manifest.caxsnap',
        edit('manifest.json', (t) => t.replace('"recordCount":2', '"recordCount":1'))
      )
    )
    expect(report.failures).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ part: 'manifest.json', code: 'manifest-edited' }),
        expect.objectContaining({ part: 'records.ndjson', code: 'record-count-mismatch' })
      ])
    )
  })

  it('not a zip at all', async () => {
    const path = join(dir, 'junk.caxsnap')
    await writeFile(path, 'hello')
    const report = await verifySnapshot(path)
    expect(report.failures[0]?.code).toBe('container-unreadable')
    await expect(SnapshotReader.open(path)).rejects.toThrow(/not a readable snapshot/)
  })
})
