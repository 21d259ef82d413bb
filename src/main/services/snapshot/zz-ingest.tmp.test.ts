import { copyFile, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { it } from 'vitest'
import { MemoryLogger } from '../logging/logger'
import { OfferedSnapshots } from './offered-snapshots'
import { SnapshotImports, type ImportFinish } from './snapshot-import'

it('measures', async () => {
  const N = Number(process.env.N ?? 100000)
  const dir = await mkdtemp(join(tmpdir(), 'zz-'))
  const file = join(dir, 's.caxsnap')
  await copyFile(join(tmpdir(), 'cax-bench-cache', `explorer-${N}-g1.caxsnap`), file)
  const offers = new OfferedSnapshots({ privateDir: join(dir, 'p'), log: new MemoryLogger() })
  let finish: ImportFinish | null = null
  let bytes = 0
  const imports: SnapshotImports = new SnapshotImports({
    log: new MemoryLogger(),
    offers,
    workerScript: process.env.W === '0' ? null : join(process.cwd(), 'out/main/import-worker.js'),
    onImportBatch: (push) => {
      for (const c of push.chunks) bytes += c.byteLength
      setImmediate(() =>
        imports.ackImport(push.importId, push.batchId, { ok: true, new: push.count, duplicates: 0 })
      )
    },
    onImportFinish: (f) => (finish = f)
  })
  const handle = offers.offer({ path: file, name: 's.caxsnap', size: 0, isPrivate: false } as never)
  const elu0 = performance.eventLoopUtilization()
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const r = await imports.import({
    clientId: 'c',
    handle: typeof handle === 'string' ? handle : (handle as { handle: string }).handle
  })
  const tv = performance.now()
  const eluV = performance.eventLoopUtilization(elu0)
  while (!finish) await new Promise((res) => setTimeout(res, 20))
  const t1 = performance.now()
  const elu = performance.eventLoopUtilization(elu0)
  const cpu = process.cpuUsage(cpu0)
  console.log(
    JSON.stringify({
      ok: r.verification.ok,
      status: (finish as ImportFinish).status,
      verifyMs: Math.round(tv - t0),
      ingestMs: Math.round(t1 - tv),
      mainBusyMs: Math.round(elu.active - eluV.active),
      processCpuS: (cpu.user + cpu.system) / 1e6,
      MB: Math.round(bytes / 1e6),
      load: (await import('node:os')).loadavg()[0]
    })
  )
}, 600_000)
