import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import yazl from 'yazl'

import { emptyLedger } from '../../shared/acquisition'
import { AppError } from '../../shared/errors'
import { testRecord } from '../../shared/export/test-records'

import { MemoryLogger } from './logger'
import { SnapshotReader, verifySnapshot, ZipReader } from './snapshot'
import { downloadsSnapshotLocations, safeSnapshotName } from './snapshot-locations'
import {
  SnapshotsService,
  validateSnapshotPath,
  type ImportBatchPush,
  type ImportFinish,
  type SnapshotsServiceDeps
} from './snapshots-service'

let dir = ''
const records = Array.from({ length: 5 }, (_, i) =>
  testRecord(`11111111-aaaa-4bbb-8ccc-00000000000${i + 1}`, { Operation: `Op${i}` })
)
// Raw text must survive byte for byte, odd whitespace included.
records[2]!.raw = records[2]!.raw.replace('{', '{\n  ')
const annotations = { [records[0]!.id]: { tags: ['reviewed'], comment: 'ok' } }

function service(
  overrides: Partial<SnapshotsServiceDeps> = {},
  sink: { batches: ImportBatchPush[]; finishes: ImportFinish[] } = { batches: [], finishes: [] }
): SnapshotsService {
  return new SnapshotsService({
    log: new MemoryLogger(),
    appVersion: '1.2.3',
    actor: () => 'auditor',
    now: () => new Date('2026-11-25T10:00:00.000Z'),
    locations: { chooseExportPath: async (name) => join(dir, `${name}.caxsnap`) },
    onImportBatch: (push) => sink.batches.push(push),
    onImportFinish: (finish) => sink.finishes.push(finish),
    ...overrides
  })
}

async function exportAll(name: string): Promise<{ path: string; fingerprint: string }> {
  const s = service()
  const { exportId } = await s.exportBegin({
    suggestedName: name,
    ledger: emptyLedger(),
    annotations
  })
  await s.exportAppend(exportId, records.slice(0, 2))
  await s.exportAppend(exportId, records.slice(2))
  return s.exportFinish(exportId)
}

async function tamper(source: string, target: string): Promise<void> {
  const zip = await ZipReader.open(source)
  const out = new yazl.ZipFile()
  for (const name of zip.names) {
    let text = await zip.text(name)
    if (name === 'records.ndjson') {
      text = text.replace('Op3', 'Op9')
    }
    out.addBuffer(Buffer.from(text, 'utf8'), name)
  }
  zip.close()
  out.end()
  const chunks: Buffer[] = []
  for await (const c of out.outputStream) {
    chunks.push(c as Buffer)
  }
  await writeFile(target, Buffer.concat(chunks))
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20))

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cax-snapshots-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('SnapshotsService export', () => {
  it('writes a snapshot that verifies and reads back the same records byte for byte', async () => {
    const result = await exportAll('export-1')
    expect(result.path).toBe(join(dir, 'export-1.caxsnap'))
    const report = await verifySnapshot(result.path, { expectedFingerprint: result.fingerprint })
    expect(report.failures).toEqual([])
    expect(report.ok).toBe(true)
    expect(report.manifest?.recordCount).toBe(5)
    const reader = await SnapshotReader.open(result.path)
    const lines = []
    for await (const line of reader.recordLines()) {
      lines.push(line)
    }
    expect(lines.map((l) => l.raw)).toEqual(records.map((r) => r.raw))
    expect(await reader.annotations()).toEqual(annotations)
    const log = await reader.acquisitionLog()
    reader.close()
    expect(log).toHaveLength(1)
    expect(log[0]).toMatchObject({
      actor: 'auditor',
      action: 'snapshot',
      at: '2026-11-25T10:00:00.000Z',
      counts: { records: 5, annotations: 1, ledgerEntries: 0 }
    })
    expect(log[0]?.source).toContain('exported from the app')
  })

  it('streams chunks through a one-chunk queue (append resolves as the writer takes them)', async () => {
    let release: (() => void) | undefined
    const gate = new Promise<void>((resolve) => (release = resolve))
    const s = service({
      queueLimit: 1,
      locations: {
        chooseExportPath: async () => {
          await gate
          return join(dir, 'slow.caxsnap')
        }
      }
    })
    // The destination is chosen first; then the writer drains one chunk at a time.
    release?.()
    const { exportId } = await s.exportBegin({
      suggestedName: 'slow',
      ledger: emptyLedger(),
      annotations: {}
    })
    const first = s.exportAppend(exportId, [records[0]!])
    const second = s.exportAppend(exportId, [records[1]!])
    await expect(first).resolves.toEqual({ records: 1 })
    await expect(second).resolves.toEqual({ records: 2 })
    await expect(s.exportFinish(exportId)).resolves.toMatchObject({ records: 2 })
  })

  it('an export abandoned by its window is cancelled and leaves no file', async () => {
    const s = service({ exportIdleMs: 50 })
    const { exportId, path } = await s.exportBegin({
      suggestedName: 'abandoned',
      ledger: emptyLedger(),
      annotations: {}
    })
    await s.exportAppend(exportId, records.slice(0, 1))
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(existsSync(path)).toBe(false)
    expect((await readdir(dir)).filter((n) => n.startsWith('abandoned'))).toEqual([])
    await expect(s.exportAppend(exportId, records.slice(1, 2))).rejects.toMatchObject({
      code: 'snapshot/unknown-export'
    })
  })

  it('cancel leaves no file; the export id is then unknown', async () => {
    const s = service()
    const { exportId, path } = await s.exportBegin({
      suggestedName: 'cancelled',
      ledger: emptyLedger(),
      annotations: {}
    })
    await s.exportAppend(exportId, records.slice(0, 1))
    expect(await s.exportCancel(exportId)).toBe(true)
    expect(existsSync(path)).toBe(false)
    expect((await readdir(dir)).filter((n) => n.startsWith('cancelled'))).toEqual([])
    await expect(s.exportFinish(exportId)).rejects.toMatchObject({
      code: 'snapshot/unknown-export'
    })
  })

  it('a cancelled save dialog is snapshot/cancelled', async () => {
    const s = service({ locations: { chooseExportPath: async () => null } })
    await expect(
      s.exportBegin({ suggestedName: 'x', ledger: emptyLedger(), annotations: {} })
    ).rejects.toMatchObject({ code: 'snapshot/cancelled' })
  })
})

describe('SnapshotsService import', () => {
  it('refuses a tampered snapshot, names the part and pushes nothing', async () => {
    const good = await exportAll('to-tamper')
    const bad = join(dir, 'tampered.caxsnap')
    await tamper(good.path, bad)
    const sink = { batches: [] as ImportBatchPush[], finishes: [] as ImportFinish[] }
    const result = await service({}, sink).import({ clientId: 'w1', path: bad })
    expect(result.importId).toBeNull()
    expect(result.verification.ok).toBe(false)
    expect(result.verification.failures).toContainEqual(
      expect.objectContaining({ part: 'records.ndjson', code: 'part-hash-mismatch' })
    )
    await tick()
    expect(sink.batches).toEqual([])
    expect(sink.finishes).toEqual([])
  })

  it('keeps two batches in flight, and sends the last one once all others are acknowledged', async () => {
    const good = await exportAll('to-import')
    const sink = { batches: [] as ImportBatchPush[], finishes: [] as ImportFinish[] }
    const s = service({ batchSize: 2 }, sink)
    const result = await s.import({ clientId: 'w1', path: good.path })
    expect(result.verification).toMatchObject({ ok: true, fingerprint: good.fingerprint })
    const importId = result.importId!
    const ack = (n: number): void => {
      const batch = sink.batches[n - 1]!
      expect(batch).toMatchObject({ importId, clientId: 'w1', batchId: n })
      expect(
        s.ackImport(importId, n, { ok: true, new: batch.records.length - 1, duplicates: 1 })
      ).toBe(true)
    }
    await tick()
    // Two batches travel at once; nothing more arrives until the first is acknowledged.
    expect(sink.batches).toHaveLength(2)
    ack(1)
    await tick()
    // The last batch (ledger and annotations) waits for every earlier one.
    expect(sink.batches).toHaveLength(2)
    ack(2)
    await tick()
    expect(sink.batches).toHaveLength(3)
    ack(3)
    await tick()
    expect(sink.batches.map((b) => b.records.length)).toEqual([2, 2, 1])
    expect(sink.batches[2]?.annotations).toEqual([
      { id: records[0]!.id, tags: ['reviewed'], comment: 'ok' }
    ])
    expect(sink.batches.flatMap((b) => b.records.map((r) => r.raw))).toEqual(
      records.map((r) => r.raw)
    )
    expect(sink.finishes).toEqual([
      {
        importId,
        clientId: 'w1',
        status: 'complete',
        counts: { records: 5, new: 2, duplicates: 3, annotations: 1, ledgerEntries: 0 },
        error: null
      }
    ])
    expect(s.ackImport(importId, 1, { ok: true, new: 0, duplicates: 0 })).toBe(false)
  })

  it('stops when the window reports a failed commit', async () => {
    const good = await exportAll('to-fail')
    const sink = { batches: [] as ImportBatchPush[], finishes: [] as ImportFinish[] }
    const s = service({ batchSize: 2 }, sink)
    const { importId } = await s.import({ clientId: 'w1', path: good.path })
    await tick()
    s.ackImport(importId!, 1, { ok: false, code: 'QuotaExceededError', message: 'disk full' })
    await tick()
    // The second batch was already on its way; nothing after it is sent.
    expect(sink.batches).toHaveLength(2)
    expect(sink.finishes[0]).toMatchObject({
      status: 'failed',
      error: { code: 'snapshot/store-failed' }
    })
  })

  it('validates typed paths: absolute, existing, a regular file', async () => {
    await expect(validateSnapshotPath('relative/x.caxsnap')).rejects.toMatchObject({
      code: 'snapshot/invalid-path'
    })
    await expect(validateSnapshotPath(join(dir, 'missing.caxsnap'))).rejects.toMatchObject({
      code: 'snapshot/invalid-path'
    })
    await expect(validateSnapshotPath(dir)).rejects.toBeInstanceOf(AppError)
    const s = service()
    await expect(s.import({ clientId: 'w1', path: 'x.caxsnap' })).rejects.toMatchObject({
      code: 'snapshot/invalid-path'
    })
    await expect(s.import({ clientId: 'w1' })).rejects.toMatchObject({
      code: 'snapshot/path-required'
    })
  })

  it('uses the open dialog when no path is given (desktop)', async () => {
    const good = await exportAll('from-dialog')
    const s = service({
      locations: {
        chooseExportPath: async () => null,
        chooseImportPath: async () => good.path
      }
    })
    const result = await s.import({ clientId: 'w1' })
    expect(result.path).toBe(good.path)
    s.cancelImport(result.importId!)
  })
})

describe('downloadsSnapshotLocations', () => {
  it('picks unique names in Downloads, or the data folder exports/ without one', async () => {
    const home = join(dir, 'home')
    await mkdir(join(home, 'Downloads'), { recursive: true })
    const withDownloads = downloadsSnapshotLocations({ dataDir: join(dir, 'data'), home })
    const a = await withDownloads.chooseExportPath('cache')
    await writeFile(a!, 'x')
    const b = await withDownloads.chooseExportPath('cache')
    const c = await withDownloads.chooseExportPath('cache')
    expect([a, b, c]).toEqual([
      join(home, 'Downloads', 'cache.caxsnap'),
      join(home, 'Downloads', 'cache (2).caxsnap'),
      join(home, 'Downloads', 'cache (3).caxsnap')
    ])
    const noDownloads = downloadsSnapshotLocations({
      dataDir: join(dir, 'data'),
      home: join(dir, 'nohome')
    })
    expect(await noDownloads.chooseExportPath('../evil/..name')).toBe(
      join(dir, 'data', 'exports', '-evil-..name.caxsnap')
    )
    expect(safeSnapshotName('a.caxsnap')).toBe('a.caxsnap')
  })
})
