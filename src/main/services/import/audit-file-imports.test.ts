import { copyFile, mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { coverage, emptyLedger, applyDelta } from '../../../shared/acquisition'
import { packedTimes, unpackChunk } from '../../../shared/cache/packed-chunk'
import { AppAcquisitionLog } from '../acquisition-log/app-acquisition-log'
import { MemoryLogger } from '../logging/logger'
import type { OfferedFile } from '../snapshot/offered-snapshots'

import {
  AuditFileImports,
  type AuditImportBatchPush,
  type AuditImportFinish
} from './audit-file-imports'

const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))

async function offered(name: string, isPrivate = false): Promise<OfferedFile> {
  const path = fixture(name)
  return { path, name, size: (await stat(path)).size, isPrivate }
}

/**
 * A window: commits every pushed batch into its "cache" (a set of Ids) and acknowledges it, or
 * holds it when `isHolding` so a test can act between batches.
 */
class FakeWindow {
  readonly cache = new Set<string>()
  readonly pushes: AuditImportBatchPush[] = []
  readonly held: AuditImportBatchPush[] = []
  isHolding = false
  failWith: string | null = null
  finish: AuditImportFinish | null = null
  private finished: (() => void) | null = null
  readonly done = new Promise<void>((resolve) => (this.finished = resolve))
  imports!: AuditFileImports

  receive(push: AuditImportBatchPush): void {
    this.pushes.push(push)
    if (this.isHolding) {
      this.held.push(push)
      return
    }
    this.commit(push)
  }

  commit(push: AuditImportBatchPush): void {
    if (this.failWith !== null) {
      this.imports.ack(push.importId, push.batchId, {
        ok: false,
        code: 'db/failed',
        message: this.failWith
      })
      return
    }
    let added = 0
    for (const id of idsOf(push)) {
      if (!this.cache.has(id)) {
        this.cache.add(id)
        added += 1
      }
    }
    this.imports.ack(push.importId, push.batchId, {
      ok: true,
      new: added,
      duplicates: push.count - added
    })
  }

  end(finish: AuditImportFinish): void {
    this.finish = finish
    this.finished?.()
  }
}

function setUp(
  batchSize?: number,
  acquisitionLog?: AppAcquisitionLog
): { window: FakeWindow; removed: string[] } {
  const window = new FakeWindow()
  const removed: string[] = []
  window.imports = new AuditFileImports({
    log: new MemoryLogger(),
    ...(acquisitionLog
      ? {
          recordImport: (entry) => acquisitionLog.append(entry),
          actor: () => 'auditor',
          shell: 'browser'
        }
      : {}),
    onImportBatch: (push) => window.receive(push),
    onImportFinish: (finish) => window.end(finish),
    removePrivate: async (path) => {
      removed.push(path)
      await rm(path, { force: true })
    },
    ...(batchSize !== undefined ? { batchSize } : {})
  })
  return { window, removed }
}

/** The Ids a push asks the window to store: its packed rows but the skipped repeats. */
function idsOf(push: AuditImportBatchPush): string[] {
  const skip = new Set(push.skip)
  const ids = push.chunks.flatMap((chunk) => unpackChunk(chunk).ids.ids)
  const kept = ids.filter((_, i) => !skip.has(i))
  expect(kept).toHaveLength(push.count)
  return kept
}

describe('AuditFileImports', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cax-audit-import-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('pushes a Purview CSV to the window with every rejected row, and accounts for each row', async () => {
    const { window } = setUp()
    const started = window.imports.start({
      clientId: 'w1',
      file: await offered('purview-current.csv')
    })
    expect(started.name).toBe('purview-current.csv')
    await window.done
    const finish = window.finish as AuditImportFinish
    expect(finish.status).toBe('complete')
    expect(finish.format).toBe('purview-csv')
    expect(finish.error).toBeNull()
    const pushedIds = window.pushes.flatMap(idsOf)
    expect(pushedIds).toHaveLength(new Set(pushedIds).size)
    expect([...window.cache].sort()).toEqual([...pushedIds].sort())
    const rejections = window.pushes.flatMap((p) => p.rejections)
    expect(rejections.length).toBeGreaterThan(0)
    expect(rejections.every((r) => r.line > 1 && r.reason.length > 0)).toBe(true)
    const { counts } = finish
    expect(counts.committed).toBe(pushedIds.length)
    expect(counts.new).toBe(pushedIds.length)
    expect(counts.alreadyCached).toBe(0)
    expect(counts.rejected).toBe(rejections.length)
    expect(counts.duplicatesInFile).toBeGreaterThan(0)
    expect(counts.rowsRead).toBe(counts.committed + counts.duplicatesInFile + counts.rejected)
    const last = window.pushes.at(-1) as AuditImportBatchPush
    expect(last.progress.totalBytes).toBe((await stat(fixture('purview-current.csv'))).size)
    expect(last.progress.bytesRead).toBe(last.progress.totalBytes)
  })

  it('sends the hours of its records as file windows with each batch: coverage reads them as imported', async () => {
    const { window } = setUp(2)
    window.imports.start({ clientId: 'w1', file: await offered('records.ndjson') })
    await window.done
    const ledger = emptyLedger()
    for (const push of window.pushes) {
      if (push.count > 0) {
        expect(push.ledger.windows.length).toBeGreaterThan(0)
      }
      applyDelta(ledger, push.ledger)
    }
    const windows = Object.values(ledger.windows)
    expect(
      windows.every((w) => w.source === 'file' && w.contentType === 'file:records.ndjson')
    ).toBe(true)
    // A window counts the rows it received, repeats within the file included.
    const received = windows.reduce((n, w) => n + w.received, 0)
    const { counts } = window.finish as AuditImportFinish
    expect(received).toBe(counts.committed + counts.duplicatesInFile)
    const first = Math.min(
      ...window.pushes.flatMap((p) => p.chunks.flatMap((c) => [...packedTimes(c)]))
    )
    const hour = new Date(Math.floor(first / 3_600_000) * 3_600_000)
    const [cell] = coverage(
      ledger,
      { start: hour, end: new Date(hour.getTime() + 3_600_000) },
      new Date()
    )
    expect(cell?.status).toBe('imported')
    const finish = window.finish as AuditImportFinish
    expect(finish.span?.first).toBe(new Date(first).toISOString())
  })

  it('writes each ended import to the acquisition log: file, hash, format, counts, outcome, span', async () => {
    const log = new AppAcquisitionLog({ dir, log: new MemoryLogger() })
    const { window } = setUp(undefined, log)
    window.imports.start({ clientId: 'w1', file: await offered('purview-current.csv') })
    await window.done
    const finish = window.finish as AuditImportFinish
    const bytes = await readFile(fixture('purview-current.csv'))
    expect(finish.sha256).toBe(createHash('sha256').update(bytes).digest('hex'))

    const { window: cancelled } = setUp(2, log)
    cancelled.isHolding = true
    const { importId } = cancelled.imports.start({
      clientId: 'w1',
      file: await offered('management-blobs.json.txt')
    })
    await expect.poll(() => cancelled.held.length).toBeGreaterThan(0)
    cancelled.commit(cancelled.held.shift() as AuditImportBatchPush)
    await expect.poll(() => cancelled.held.length).toBeGreaterThan(0)
    cancelled.imports.cancel(importId)
    await cancelled.done

    const listing = await log.list()
    expect(listing.problems).toEqual([])
    expect(listing.total).toBe(2)
    const [second, first] = listing.entries
    expect(first).toMatchObject({
      seq: 1,
      actor: 'auditor',
      action: 'import',
      source: 'purview-current.csv',
      parameters: {
        file: 'purview-current.csv',
        bytes: bytes.length,
        sha256: finish.sha256,
        format: 'purview-csv',
        status: 'complete',
        shell: 'browser',
        firstRecordAt: finish.span?.first,
        lastRecordAt: finish.span?.last
      },
      counts: {
        rows: finish.counts.rowsRead,
        stored: finish.counts.new,
        duplicates: finish.counts.duplicatesInFile,
        rejected: finish.counts.rejected
      }
    })
    expect(first?.counts['rejected']).toBeGreaterThan(0)
    expect(second).toMatchObject({
      seq: 2,
      source: 'management-blobs.json.txt',
      parameters: { status: 'cancelled', sha256: null, error: 'import/cancelled' }
    })
    expect(second?.counts['stored']).toBeGreaterThan(0)
    expect(second?.prevSha256).not.toBe(first?.prevSha256)
  })

  it('counts records the cache already holds when the same file is imported again', async () => {
    const { window } = setUp()
    window.imports.start({ clientId: 'w1', file: await offered('records.ndjson') })
    await window.done
    const first = (window.finish as AuditImportFinish).counts
    const { window: second } = setUp()
    for (const id of window.cache) {
      second.cache.add(id)
    }
    second.imports.start({ clientId: 'w1', file: await offered('records.ndjson') })
    await second.done
    const counts = (second.finish as AuditImportFinish).counts
    expect(first.new).toBeGreaterThan(0)
    expect(counts.new).toBe(0)
    expect(counts.alreadyCached).toBe(first.new)
  })

  it('on cancel keeps the committed batches, sends nothing more, and says how much was committed', async () => {
    const { window } = setUp(2)
    window.isHolding = true
    const { importId } = window.imports.start({
      clientId: 'w1',
      file: await offered('management-blobs.json.txt')
    })
    await expect.poll(() => window.held.length).toBeGreaterThan(0)
    const first = window.held.shift() as AuditImportBatchPush
    window.commit(first)
    await expect.poll(() => window.held.length).toBeGreaterThan(0)
    expect(window.imports.cancel(importId)).toBe(true)
    const sentBeforeCancel = window.pushes.length
    await window.done
    expect(window.pushes).toHaveLength(sentBeforeCancel)
    const finish = window.finish as AuditImportFinish
    expect(finish.status).toBe('cancelled')
    expect(finish.error?.code).toBe('import/cancelled')
    expect(finish.counts.committed).toBe(first.count)
    expect(finish.counts.new).toBe(first.count)
    expect(window.cache.size).toBe(first.count)
    expect(window.imports.cancel(importId)).toBe(false)
  })

  it('fails with the format error when the file is not an audit export', async () => {
    const { window } = setUp()
    window.imports.start({ clientId: 'w1', file: await offered('not-audit.csv') })
    await window.done
    const finish = window.finish as AuditImportFinish
    expect(finish.status).toBe('failed')
    expect(finish.error?.code).toBe('import/unknown-format')
    expect(finish.error?.message).toMatch(/AuditData/)
    expect(window.pushes).toEqual([])
  })

  it('fails when the window cannot store a batch, and names why', async () => {
    const { window } = setUp()
    window.failWith = 'QuotaExceededError'
    window.imports.start({ clientId: 'w1', file: await offered('records.ndjson') })
    await window.done
    const finish = window.finish as AuditImportFinish
    expect(finish.status).toBe('failed')
    expect(finish.error?.code).toBe('import/store-failed')
    expect(finish.error?.message).toContain('QuotaExceededError')
    expect(finish.counts.committed).toBe(0)
  })

  it('deletes a private copy (an upload) once the import has ended, and never an offered original', async () => {
    const copy = join(dir, 'upload.csv')
    await copyFile(fixture('purview-classic.csv'), copy)
    const { window, removed } = setUp()
    window.imports.start({
      clientId: 'w1',
      file: {
        path: copy,
        name: 'purview-classic.csv',
        size: (await stat(copy)).size,
        isPrivate: true
      }
    })
    await window.done
    expect((window.finish as AuditImportFinish).status).toBe('complete')
    expect(window.cache.size).toBeGreaterThan(0)
    expect(removed).toEqual([copy])
    await expect(stat(copy)).rejects.toThrow()

    const { window: other, removed: none } = setUp()
    other.imports.start({ clientId: 'w1', file: await offered('purview-classic.csv') })
    await other.done
    expect(none).toEqual([])
  })
})
