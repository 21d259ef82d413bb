import { existsSync } from 'node:fs'
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import yazl from 'yazl'

import { emptyLedger } from '../../../shared/acquisition'
import type { NormalizedRecord } from '../../../shared/audit'
import { unpackChunk } from '../../../shared/cache/packed-chunk'
import { decodeChunk } from '../../../shared/cache/record-chunk'
import { testRecord } from '../../../shared/export/test-records'
import { DEFAULT_SNAPSHOT_LIMITS } from '../../../shared/snapshot'
import type { AuditImportBatchPush, AuditImportFinish } from '../import/audit-file-imports'
import { MemoryLogger } from '../logging/logger'

import { SnapshotReader, verifySnapshot } from './snapshot-reader'
import { downloadsSnapshotLocations, safeSnapshotName } from './snapshot-locations'
import {
  SnapshotsService,
  type ImportBatchPush,
  type ImportFinish,
  type SnapshotsServiceDeps
} from './snapshots-service'
import { ZipReader } from './zip-reader'

let dir = ''
const records = Array.from({ length: 5 }, (_, i) =>
  testRecord(`11111111-aaaa-4bbb-8ccc-00000000000${i + 1}`, { Operation: `Op${i}` })
)
// Raw text must survive byte for byte, odd whitespace included.
records[2]!.raw = records[2]!.raw.replace('{', '{\n  ')
const annotations = { [records[0]!.id]: { tags: ['reviewed'], comment: 'ok' } }

function service(
  overrides: Partial<SnapshotsServiceDeps> = {},
  sink: {
    batches: ImportBatchPush[]
    finishes: ImportFinish[]
    auditBatches?: AuditImportBatchPush[]
    auditFinishes?: AuditImportFinish[]
  } = { batches: [], finishes: [] }
): SnapshotsService {
  return new SnapshotsService({
    log: new MemoryLogger(),
    appVersion: '1.2.3',
    actor: () => 'auditor',
    now: () => new Date('2026-11-25T10:00:00.000Z'),
    locations: { chooseExportPath: async (name) => join(dir, `${name}.caxsnap`) },
    privateDir: join(dir, 'private'),
    auditPrivateDir: join(dir, 'audit-private'),
    acceptsDroppedPaths: true,
    onImportBatch: (push) => sink.batches.push(push),
    onAuditImportBatch: (push) => sink.auditBatches?.push(push),
    onAuditImportFinish: (finish) => sink.auditFinishes?.push(finish),
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
    const log = new MemoryLogger()
    const s = service({ exportIdleMs: 50, log })
    const { exportId, path } = await s.exportBegin({
      suggestedName: 'abandoned',
      ledger: emptyLedger(),
      annotations: {}
    })
    await s.exportAppend(exportId, records.slice(0, 1))
    // Wait on state, not time: the idle timer fires after 50 ms of silence and the export says
    // it was cancelled once its partial file is gone.
    await until(() => log.lines.some((l) => l.includes(`export ${exportId} cancelled`)))
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

/** Offers a file the way a dialog or the OS would, and returns its handle. */
function offer(s: SnapshotsService, path: string): string {
  return s.offers.offer({ path, name: 'x.caxsnap', size: 0, isPrivate: false })
}

/** The records a pushed batch carries, read back from its packed chunks. */
function recordsOf(push: ImportBatchPush): NormalizedRecord[] {
  return push.chunks.flatMap((packed) => {
    const chunk = unpackChunk(packed)
    return decodeChunk(chunk.columns, chunk.body)
  })
}

/** Waits until `condition` holds (state, not time: the test's own timeout bounds it). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) {
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

async function privateFiles(): Promise<string[]> {
  return (await readdir(join(dir, 'private')).catch(() => [])).sort()
}

/** Acknowledges every batch as it arrives until the import finishes. */
async function ackAll(
  s: SnapshotsService,
  sink: { batches: ImportBatchPush[]; finishes: ImportFinish[] }
): Promise<void> {
  let acked = 0
  while (sink.finishes.length === 0) {
    await until(() => sink.batches.length > acked || sink.finishes.length > 0)
    for (; acked < sink.batches.length; acked++) {
      const b = sink.batches[acked]!
      s.ackImport(b.importId, b.batchId, { ok: true, new: b.count, duplicates: 0 })
    }
  }
}

describe('SnapshotsService import', () => {
  it('refuses a tampered snapshot, names the part, pushes nothing and keeps no copy', async () => {
    const good = await exportAll('to-tamper')
    const bad = join(dir, 'tampered.caxsnap')
    await tamper(good.path, bad)
    const sink = { batches: [] as ImportBatchPush[], finishes: [] as ImportFinish[] }
    const s = service({}, sink)
    const result = await s.import({ clientId: 'w1', handle: offer(s, bad) })
    expect(result.importId).toBeNull()
    expect(result.verification.ok).toBe(false)
    expect(result.verification.failures).toContainEqual(
      expect.objectContaining({ part: 'records.ndjson', code: 'part-hash-mismatch' })
    )
    await tick()
    expect(sink.batches).toEqual([])
    expect(sink.finishes).toEqual([])
    expect(await privateFiles()).toEqual([])
  })

  it('keeps two batches in flight, and sends the last one once all others are acknowledged', async () => {
    const good = await exportAll('to-import')
    const sink = { batches: [] as ImportBatchPush[], finishes: [] as ImportFinish[] }
    const s = service({ batchSize: 2 }, sink)
    const result = await s.import({ clientId: 'w1', handle: offer(s, good.path) })
    expect(result.verification).toMatchObject({ ok: true, fingerprint: good.fingerprint })
    const importId = result.importId!
    const ack = (n: number): void => {
      const batch = sink.batches[n - 1]!
      expect(batch).toMatchObject({ importId, clientId: 'w1', batchId: n })
      expect(s.ackImport(importId, n, { ok: true, new: batch.count - 1, duplicates: 1 })).toBe(true)
    }
    // Two batches travel at once; nothing more arrives until the first is acknowledged.
    await until(() => sink.batches.length >= 2)
    await tick()
    expect(sink.batches).toHaveLength(2)
    ack(1)
    await tick()
    // The last batch (ledger and annotations) waits for every earlier one.
    expect(sink.batches).toHaveLength(2)
    ack(2)
    await until(() => sink.batches.length >= 3)
    ack(3)
    await until(() => sink.finishes.length > 0)
    expect(sink.batches.map((b) => b.count)).toEqual([2, 2, 1])
    expect(sink.batches[2]?.annotations).toEqual([
      { id: records[0]!.id, tags: ['reviewed'], comment: 'ok' }
    ])
    expect(sink.batches.flatMap((b) => recordsOf(b).map((r) => r.raw))).toEqual(
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
    // The private copy it read is gone; the original stays.
    await until(() => existsSync(join(dir, 'private')))
    expect(await privateFiles()).toEqual([])
    expect(existsSync(good.path)).toBe(true)
  })

  it('imports the bytes it verified: the file rewritten in place after verification changes nothing', async () => {
    const good = await exportAll('race')
    const original = await readFile(good.path)
    const tampered = join(dir, 'race-tampered.caxsnap')
    await tamper(good.path, tampered)
    const sink = { batches: [] as ImportBatchPush[], finishes: [] as ImportFinish[] }
    const s = service({ batchSize: 1 }, sink)
    const result = await s.import({ clientId: 'w1', handle: offer(s, good.path) })
    expect(result.verification.ok).toBe(true)
    // Verified; now the sender's file changes under the same name and inode (before 10.4 the
    // import read the original path again and would have taken these bytes).
    await writeFile(good.path, await readFile(tampered))
    await ackAll(s, sink)
    expect(sink.finishes[0]).toMatchObject({ status: 'complete', counts: { records: 5 } })
    expect(sink.batches.flatMap((b) => recordsOf(b).map((r) => r.raw))).toEqual(
      records.map((r) => r.raw)
    )
    expect(sink.batches.flatMap((b) => recordsOf(b).map((r) => r.operation))).not.toContain('Op9')
    await writeFile(good.path, original)
  })

  it('a file changed between the copy and its verification is refused (the copy is verified)', async () => {
    const good = await exportAll('race-2')
    const tampered = join(dir, 'race-2-tampered.caxsnap')
    await tamper(good.path, tampered)
    const sink = { batches: [] as ImportBatchPush[], finishes: [] as ImportFinish[] }
    const s = service(
      {
        afterCopy: async (file) => {
          expect(file.path.startsWith(join(dir, 'private'))).toBe(true)
          expect((await stat(file.path)).mode & 0o777).toBe(0o600)
          await writeFile(file.path, await readFile(tampered))
        }
      },
      sink
    )
    const result = await s.import({ clientId: 'w1', handle: offer(s, good.path) })
    expect(result.importId).toBeNull()
    expect(result.verification.failures[0]).toMatchObject({ part: 'records.ndjson' })
    expect(await privateFiles()).toEqual([])
  })

  it('stops when the window reports a failed commit', async () => {
    const good = await exportAll('to-fail')
    const sink = { batches: [] as ImportBatchPush[], finishes: [] as ImportFinish[] }
    const s = service({ batchSize: 2 }, sink)
    const { importId } = await s.import({ clientId: 'w1', handle: offer(s, good.path) })
    await until(() => sink.batches.length > 0)
    s.ackImport(importId!, 1, { ok: false, code: 'QuotaExceededError', message: 'disk full' })
    await until(() => sink.finishes.length > 0)
    // The second batch was already on its way; nothing after it is sent.
    expect(sink.batches.length).toBeLessThanOrEqual(2)
    expect(sink.finishes[0]).toMatchObject({
      status: 'failed',
      error: { code: 'snapshot/store-failed' }
    })
  })

  it('handles are one-time; unknown handles and a missing file are refused', async () => {
    const good = await exportAll('one-time')
    const sink = { batches: [] as ImportBatchPush[], finishes: [] as ImportFinish[] }
    const s = service({}, sink)
    const handle = offer(s, good.path)
    const first = await s.import({ clientId: 'w1', handle })
    expect(first.verification.ok).toBe(true)
    s.cancelImport(first.importId!)
    await until(() => sink.finishes.length > 0)
    await expect(s.import({ clientId: 'w1', handle })).rejects.toMatchObject({
      code: 'snapshot/unknown-handle'
    })
    await expect(s.import({ clientId: 'w1', handle: 'A'.repeat(22) })).rejects.toMatchObject({
      code: 'snapshot/unknown-handle'
    })
    await expect(
      s.import({ clientId: 'w1', handle: offer(s, join(dir, 'gone.caxsnap')) })
    ).rejects.toMatchObject({ code: 'snapshot/read-failed' })
    // Without a handle and without a dialog (browser shell) there is nothing to import.
    await expect(s.import({ clientId: 'w1' })).rejects.toMatchObject({
      code: 'snapshot/file-required'
    })
  })

  it('refuses a file over the size limit before copying it', async () => {
    const good = await exportAll('too-big')
    const s = service({ limits: { ...DEFAULT_SNAPSHOT_LIMITS, maxFileBytes: 100 } })
    await expect(s.import({ clientId: 'w1', handle: offer(s, good.path) })).rejects.toMatchObject({
      code: 'snapshot/too-large'
    })
    expect(await privateFiles()).toEqual([])
  })

  it('uses the open dialog when no handle is given (desktop)', async () => {
    const good = await exportAll('from-dialog')
    const sink = { batches: [] as ImportBatchPush[], finishes: [] as ImportFinish[] }
    const s = service(
      {
        locations: {
          chooseExportPath: async () => null,
          chooseImportPath: async () => good.path
        }
      },
      sink
    )
    const result = await s.import({ clientId: 'w1' })
    expect(result.name).toBe('from-dialog.caxsnap')
    expect(result.verification.ok).toBe(true)
    s.cancelImport(result.importId!)
    await until(() => sink.finishes.length > 0)
  })
})

describe('SnapshotsService offers (issue 10 item 6)', () => {
  it('offers a dropped regular .caxsnap file; every refusal reads the same', async () => {
    const good = await exportAll('dropped')
    const sink = { batches: [] as ImportBatchPush[], finishes: [] as ImportFinish[] }
    const s = service({}, sink)
    const offered = await s.offerDroppedPath(good.path)
    expect(offered).toMatchObject({ name: 'dropped.caxsnap', size: (await stat(good.path)).size })
    expect(offered.handle).toMatch(/^[A-Za-z0-9_-]{22}$/)
    const imported = await s.import({ clientId: 'w1', handle: offered.handle })
    expect(imported.verification.ok).toBe(true)
    s.cancelImport(imported.importId!)
    await until(() => sink.finishes.length > 0)

    await mkdir(join(dir, 'folder.caxsnap'), { recursive: true })
    await writeFile(join(dir, 'notes.txt'), 'x')
    const refusals = await Promise.all(
      [
        join(dir, 'missing.caxsnap'),
        join(dir, 'folder.caxsnap'),
        join(dir, 'notes.txt'),
        'relative/x.caxsnap',
        '/etc/passwd'
      ].map((path) => s.offerDroppedPath(path).catch((error: unknown) => error))
    )
    for (const refusal of refusals) {
      expect(refusal).toMatchObject({ code: 'snapshot/invalid-file' })
      expect((refusal as Error).message).toBe((refusals[0] as Error).message)
      expect((refusal as Error).message).not.toContain(dir)
    }
    const windows = service({ platform: 'win32' })
    await expect(windows.offerDroppedPath('\\\\server\\share\\x.caxsnap')).rejects.toMatchObject({
      code: 'snapshot/invalid-file'
    })
  })

  it('the browser shell takes no paths', async () => {
    const good = await exportAll('web-drop')
    await expect(
      service({ acceptsDroppedPaths: false }).offerDroppedPath(good.path)
    ).rejects.toMatchObject({ code: 'snapshot/not-available' })
  })

  it('receives an upload into a private 0600 file, imports it by handle and removes it', async () => {
    const good = await exportAll('uploaded')
    const bytes = await readFile(good.path)
    const sink = { batches: [] as ImportBatchPush[], finishes: [] as ImportFinish[] }
    const s = service({ batchSize: 10 }, sink)
    const offered = await s.receiveUpload(
      Readable.from([bytes.subarray(0, 100), bytes.subarray(100)]),
      {
        name: '../../evil/uploaded.caxsnap',
        declaredSize: bytes.length
      }
    )
    expect(offered).toMatchObject({ name: 'uploaded.caxsnap', size: bytes.length })
    const [file] = await privateFiles()
    expect((await stat(join(dir, 'private', file!))).mode & 0o777).toBe(0o600)
    expect((await stat(join(dir, 'private'))).mode & 0o777).toBe(0o700)
    const result = await s.import({ clientId: 'w1', handle: offered.handle })
    expect(result.verification.ok).toBe(true)
    await ackAll(s, sink)
    expect(sink.finishes[0]).toMatchObject({ status: 'complete', counts: { records: 5 } })
    await until(() => sink.finishes.length > 0)
    expect(await privateFiles()).toEqual([])
  })

  it('refuses uploads longer or shorter than declared, or over the limit, leaving no file', async () => {
    const s = service({ limits: { ...DEFAULT_SNAPSHOT_LIMITS, maxFileBytes: 1000 } })
    await expect(
      s.receiveUpload(Readable.from([Buffer.alloc(20)]), { name: 'a.caxsnap', declaredSize: 10 })
    ).rejects.toMatchObject({ code: 'snapshot/upload-failed' })
    await expect(
      s.receiveUpload(Readable.from([Buffer.alloc(5)]), { name: 'a.caxsnap', declaredSize: 10 })
    ).rejects.toMatchObject({ code: 'snapshot/upload-failed' })
    await expect(
      s.receiveUpload(Readable.from([Buffer.alloc(5)]), { name: 'a.caxsnap', declaredSize: 5000 })
    ).rejects.toMatchObject({ code: 'snapshot/too-large' })
    expect(await privateFiles()).toEqual([])
  })

  it('receives an audit-file upload past the snapshot size limit and imports it by handle', async () => {
    const csv = await readFile(
      fileURLToPath(new URL('../import/fixtures/purview-classic.csv', import.meta.url))
    )
    const sink = {
      batches: [] as ImportBatchPush[],
      finishes: [] as ImportFinish[],
      auditBatches: [] as AuditImportBatchPush[],
      auditFinishes: [] as AuditImportFinish[]
    }
    const s = service({ limits: { ...DEFAULT_SNAPSHOT_LIMITS, maxFileBytes: 10 } }, sink)
    const offered = await s.receiveUpload(Readable.from([csv]), {
      name: 'classic.csv',
      declaredSize: csv.length,
      kind: 'audit-file'
    })
    expect(offered).toMatchObject({ name: 'classic.csv', size: csv.length })
    // Uploaded audit files have their own private folder, never the snapshots' one.
    expect(await privateFiles()).toEqual([])
    const [upload] = await readdir(join(dir, 'audit-private'))
    expect((await stat(join(dir, 'audit-private', upload!))).mode & 0o777).toBe(0o600)
    // A snapshot import does not take an audit file's handle, nor the reverse.
    await expect(s.import({ clientId: 'w1', handle: offered.handle })).rejects.toMatchObject({
      code: 'snapshot/unknown-handle'
    })
    const started = await s.importAuditFile({ clientId: 'w1', handle: offered.handle })
    expect(started.name).toBe('classic.csv')
    await until(() => sink.auditBatches.length > 0)
    for (const push of sink.auditBatches) {
      s.ackAuditImport(push.importId, push.batchId, {
        ok: true,
        new: push.count,
        duplicates: 0
      })
    }
    await until(() => sink.auditFinishes.length > 0)
    expect(sink.auditFinishes[0]).toMatchObject({
      status: 'complete',
      format: 'purview-csv-classic',
      name: 'classic.csv'
    })
    expect(sink.auditFinishes[0]?.counts.committed).toBeGreaterThan(0)
    expect(await privateFiles()).toEqual([])
    expect(await readdir(join(dir, 'audit-private'))).toEqual([])
    await expect(
      s.importAuditFile({ clientId: 'w1', handle: offered.handle })
    ).rejects.toMatchObject({ code: 'import/unknown-handle' })
    // Without a handle and without a dialog (browser shell) there is nothing to import.
    await expect(s.importAuditFile({ clientId: 'w1' })).rejects.toMatchObject({
      code: 'import/file-required'
    })
    // An interrupted audit upload says so with the import's own code.
    await expect(
      s.receiveUpload(Readable.from([csv.subarray(0, 10)]), {
        name: 'cut.csv',
        declaredSize: csv.length,
        kind: 'audit-file'
      })
    ).rejects.toMatchObject({ code: 'import/upload-failed' })
    expect(await readdir(join(dir, 'audit-private'))).toEqual([])
  })

  it('offers a dropped audit file of any extension, but still only a local absolute path', async () => {
    const s = service()
    const path = fileURLToPath(new URL('../import/fixtures/records.ndjson', import.meta.url))
    await expect(s.offerDroppedPath(path)).rejects.toMatchObject({ code: 'snapshot/invalid-file' })
    const offered = await s.offerDroppedPath(path, 'audit-file')
    expect(offered.name).toBe('records.ndjson')
    await expect(s.offerDroppedPath('records.ndjson', 'audit-file')).rejects.toMatchObject({
      code: 'import/invalid-file'
    })
  })

  it('a file opened from the OS gets a handle only when it verified', async () => {
    const good = await exportAll('from-os')
    const s = service()
    const opened = await s.openFromOs(good.path)
    expect(opened.verification.ok).toBe(true)
    expect(opened.handle).not.toBeNull()
    const bad = join(dir, 'from-os-bad.caxsnap')
    await writeFile(bad, 'not a zip')
    expect((await s.openFromOs(bad)).handle).toBeNull()
  })

  it('routes a file opened from the OS by its content: snapshots to verification, audit exports to the audit import', async () => {
    const sink = {
      batches: [] as ImportBatchPush[],
      finishes: [] as ImportFinish[],
      auditBatches: [] as AuditImportBatchPush[],
      auditFinishes: [] as AuditImportFinish[]
    }
    const s = service({}, sink)
    // A snapshot renamed .zip is still verified as a snapshot, and its handle imports it.
    const good = await exportAll('routed')
    const renamed = join(dir, 'routed-evidence.zip')
    await copyFile(good.path, renamed)
    const snapshot = await s.openedFromOs(renamed)
    expect(snapshot?.kind).toBe('snapshot')
    const opened = snapshot?.kind === 'snapshot' ? snapshot.opened : null
    expect(opened?.verification.ok).toBe(true)
    await expect(
      s.importAuditFile({ clientId: 'w1', handle: opened!.handle! })
    ).rejects.toMatchObject({ code: 'import/unknown-handle' })
    // A Purview CSV saved as .txt goes to the audit import, whose handle it takes (once).
    const csv = join(dir, 'routed-export.txt')
    await copyFile(
      fileURLToPath(new URL('../import/fixtures/purview-current.csv', import.meta.url)),
      csv
    )
    const audit = await s.openedFromOs(csv)
    expect(audit).toMatchObject({ kind: 'audit-file', offered: { name: 'routed-export.txt' } })
    const offered = audit?.kind === 'audit-file' ? audit.offered : null
    await expect(s.import({ clientId: 'w1', handle: offered!.handle })).rejects.toMatchObject({
      code: 'snapshot/unknown-handle'
    })
    const routed = await s.openedFromOs(csv)
    const handle = routed?.kind === 'audit-file' ? routed.offered.handle : ''
    await s.importAuditFile({ clientId: 'w1', handle })
    await until(() => sink.auditBatches.length > 0)
    for (const push of sink.auditBatches) {
      s.ackAuditImport(push.importId, push.batchId, {
        ok: true,
        new: push.count,
        duplicates: 0
      })
    }
    await until(() => sink.auditFinishes.length > 0)
    expect(sink.auditFinishes[0]).toMatchObject({ status: 'complete', format: 'purview-csv' })
    // The original is the user's: it is read, never deleted.
    expect(existsSync(csv)).toBe(true)
    // Anything else is not offered at all.
    expect(await s.openedFromOs(await writeAndReturn(join(dir, 'notes.md'), '# notes'))).toBeNull()
    expect(await s.openedFromOs(dir)).toBeNull()
  })
})

async function writeAndReturn(path: string, text: string): Promise<string> {
  await writeFile(path, text)
  return path
}

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
