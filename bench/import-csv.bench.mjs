// Import benchmark (issue 13 items 2–3): generates a realistic one-million-row Purview portal
// CSV (current layout, reference/audit-events.md §12.1; AuditData of varied real-shaped records,
// see purview-export.mjs; 0.5 % of rows repeat an earlier row, as the portal sometimes does),
// then, on the same file, one after the other:
//   1. the parse-only floor: csv-parse + JSON.parse of every AuditData, nothing stored, one
//      thread (import-floor.mjs);
//   2. `cax import <file> --store <tmp> --json` with the BUILT CLI (its normalize workers).
// Reports both in rows/s, their ratio, the import's peak memory (maxRSS of the process, worker
// threads included) and checks the dedupe is exact (new = distinct Ids, the store holds each
// once). Writes bench/results/import-csv.json with the machine and its load.
//
// BENCH_ROWS overrides the row count (e.g. BENCH_ROWS=100000 for a quick run); BENCH_FILE=path
// keeps the generated file there (and reuses it when it already has BENCH_ROWS rows).
import { execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { createGenerator, csvRow, HEADER } from './purview-export.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..')
const cli = join(root, 'out/main/cli.js')
const rows = Number(process.env.BENCH_ROWS ?? 1_000_000)
const DUPLICATE_EVERY = 200 // 0.5 % of rows repeat an earlier record

if (!existsSync(cli) || !existsSync(join(root, 'out/main/import-worker.js'))) {
  console.log('[bench] out/main/cli.js missing: building (electron-vite build)…')
  execFileSync(
    process.execPath,
    [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'],
    {
      cwd: root,
      stdio: 'inherit'
    }
  )
}

/** Writes the export; returns its size and what an exact import must find. */
async function generate(file) {
  const generator = createGenerator(1)
  const out = createWriteStream(file)
  out.write(HEADER)
  const recent = []
  let unique = 0
  let auditBytes = 0
  const shapes = new Map()
  let buffer = ''
  for (let i = 0; i < rows; i++) {
    let item
    if (i > 0 && i % DUPLICATE_EVERY === 0) {
      item = recent[(i * 7919) % recent.length] // an earlier row, repeated as it was
    } else {
      item = generator.next()
      unique++
      auditBytes += Buffer.byteLength(item.text)
      shapes.set(item.kind, (shapes.get(item.kind) ?? 0) + 1)
      if (recent.length < 5000) {
        recent.push(item)
      } else {
        recent[i % 5000] = item
      }
    }
    buffer += csvRow(item)
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) {
        await once(out, 'drain')
      }
      buffer = ''
    }
  }
  out.end(buffer)
  await once(out, 'close')
  return {
    bytes: statSync(file).size,
    unique,
    duplicates: rows - unique,
    averageAuditDataBytes: Math.round(auditBytes / unique),
    shapes: Object.fromEntries([...shapes].sort((a, b) => b[1] - a[1]))
  }
}

/** Runs a node child, returning its stdout, wall seconds and peak RSS (MB, threads included). */
async function runChild(args) {
  const hook =
    'data:text/javascript,process.on("exit",()=>{const u=process.resourceUsage();process.stderr.write("BENCH_MAXRSS_KB="+u.maxRSS+" BENCH_CPU_US="+(u.userCPUTime+u.systemCPUTime)+"\\n")})'
  const started = process.hrtime.bigint()
  const child = spawn(process.execPath, ['--import', hook, ...args], {
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c) => (stdout += c))
  child.stderr.on('data', (c) => (stderr += c))
  const [code] = await once(child, 'exit')
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  if (code !== 0) {
    console.log(stderr.slice(-2000))
    throw new Error(`[bench] ${args.join(' ')} exited ${code}`)
  }
  const peakRssMB = Number(/BENCH_MAXRSS_KB=(\d+)/.exec(stderr)?.[1] ?? NaN) / 1024
  const cpuSeconds = Number(/BENCH_CPU_US=(\d+)/.exec(stderr)?.[1] ?? NaN) / 1e6
  return { stdout, seconds, peakRssMB, cpuSeconds }
}

const work = await mkdtemp(join(tmpdir(), 'cax-bench-'))
try {
  const file = process.env.BENCH_FILE ?? join(work, 'purview-1m.csv')
  const metaFile = `${file}.meta.json`
  let meta = existsSync(metaFile) ? JSON.parse(readFileSync(metaFile, 'utf8')) : null
  if (meta?.rows !== rows || !existsSync(file)) {
    const t0 = Date.now()
    meta = { rows, ...(await generate(file)) }
    writeFileSync(metaFile, JSON.stringify(meta))
    console.log(`[bench] generated ${rows} rows in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  }
  console.log(
    `[bench] ${file}: ${(meta.bytes / 1e6).toFixed(0)} MB, AuditData ${meta.averageAuditDataBytes} bytes on average, ${Object.keys(meta.shapes).length} record shapes, ${meta.duplicates} repeated rows`
  )

  const loadBefore = loadavg()
  const floorRun = await runChild([join(here, 'import-floor.mjs'), file])
  const floor = JSON.parse(floorRun.stdout.trim().split('\n').pop())
  if (floor.rows !== rows) {
    throw new Error(`[bench] the floor read ${floor.rows} rows, expected ${rows}`)
  }
  const floorRowsPerSecond = Math.round(rows / floor.seconds)
  console.log(
    `[bench] floor (csv-parse + JSON.parse, one thread): ${floor.seconds.toFixed(1)} s = ${floorRowsPerSecond} rows/s`
  )

  const store = join(work, 'store')
  const importRun = await runChild([cli, 'import', file, '--store', store, '--json'])
  const loadAfter = loadavg()
  const summary = JSON.parse(importRun.stdout.trimEnd().split('\n').pop() ?? '{}')
  const storedIds = readFileSync(join(store, 'ids.txt'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
  const isExact =
    summary.records === rows &&
    summary.new === meta.unique &&
    summary.duplicates === meta.duplicates &&
    summary.rejected === 0 &&
    storedIds.length === meta.unique &&
    new Set(storedIds).size === meta.unique
  const rowsPerSecond = Math.round(rows / importRun.seconds)
  const ratio = Number((rowsPerSecond / floorRowsPerSecond).toFixed(2))
  const result = {
    bench: 'import-csv',
    at: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? '?',
      memoryGb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      loadAverage1m: {
        before: Number(loadBefore[0].toFixed(2)),
        after: Number(loadAfter[0].toFixed(2))
      }
    },
    file: {
      rows,
      bytes: meta.bytes,
      averageAuditDataBytes: meta.averageAuditDataBytes,
      shapes: meta.shapes
    },
    floor: {
      seconds: Number(floor.seconds.toFixed(2)),
      rowsPerSecond: floorRowsPerSecond,
      cpuSeconds: Number(floorRun.cpuSeconds.toFixed(1)),
      peakRssMB: Math.round(floor.peakRssMB)
    },
    import: {
      seconds: Number(importRun.seconds.toFixed(2)),
      rowsPerSecond,
      megabytesPerSecond: Number((meta.bytes / 1e6 / importRun.seconds).toFixed(1)),
      // CPU time of the import process, all threads: what the rows cost whatever else runs.
      cpuSeconds: Number(importRun.cpuSeconds.toFixed(1)),
      workers: summary.files?.[0]?.workers,
      peakRssMB: Math.round(importRun.peakRssMB),
      new: summary.new,
      duplicates: summary.duplicates,
      rejected: summary.rejected
    },
    ratioToFloor: ratio,
    isExact
  }
  mkdirSync(join(here, 'results'), { recursive: true })
  writeFileSync(join(here, 'results/import-csv.json'), `${JSON.stringify(result, null, 2)}\n`)
  console.log(
    `[bench] import-csv: cax import ${rowsPerSecond} rows/s (${importRun.seconds.toFixed(1)} s, peak RSS ${Math.round(importRun.peakRssMB)} MB) vs floor ${floorRowsPerSecond} rows/s: ratio ${ratio}; new ${summary.new}, duplicates ${summary.duplicates}, rejected ${summary.rejected}, exact ${isExact}; load ${loadBefore[0].toFixed(1)} → ${loadAfter[0].toFixed(1)}`
  )
  // CPU time does not depend on how much of the machine other jobs take; wall time does.
  console.log(
    `[bench] import-csv CPU: cax import ${importRun.cpuSeconds.toFixed(1)} CPU-s (all threads, ${Math.round(rows / importRun.cpuSeconds)} rows per CPU-second) vs floor ${floorRun.cpuSeconds.toFixed(1)} CPU-s (${Math.round(rows / floorRun.cpuSeconds)} rows per CPU-second); ${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ')}`
  )
  if (!isExact) {
    throw new Error('[bench] the import was not exact')
  }
} finally {
  await rm(work, { recursive: true, force: true })
}
