// The window's commit at scale (issues 11 and 13): every ingest — sync, audit-file import,
// snapshot import — ends in the page's AppDb.commitPacked storing the chunks main packed. This
// benchmark isolates that step in Debian's Chromium (IndexedDB on disk, persistent profile): the
// explorer benchmark's records are normalized and packed in the page first (not measured), then
// committed one batch of 4,096 records at a time as the hand-over delivers them, then a quarter of
// them again (all duplicates). In the same run, the floors: unpacking alone, and the same bytes
// written to a plain IndexedDB store one row per chunk (no Dexie, no cache logic).
// Writes bench/results/page-commit.json.
//
// CAX_BENCH_COMMIT_RECORDS sets the record count (default 200,000);
// CAX_BENCH_PROFILE=1 prints the page's functions with the most self time during the commit.
import { createServer } from 'node:http'
import { mkdirSync, writeFileSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { build } from 'vite'

import { cpuSeconds, cpuSince, launchChromium, machineInfo, topSelfTime } from './browser-shell.mjs'
import { rawRecords } from './explorer-records.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const RECORDS = Number(process.env.CAX_BENCH_COMMIT_RECORDS ?? 200_000)
const CHUNKS_PER_BATCH = 1

const out = await mkdtemp(join(tmpdir(), 'cax-bench-page-commit-'))
const profileDir = await mkdtemp(join(tmpdir(), 'cax-bench-profile-'))
let context
let server
try {
  await build({
    configFile: false,
    logLevel: 'warn',
    root: here,
    build: {
      outDir: out,
      emptyOutDir: true,
      target: 'esnext',
      minify: false,
      sourcemap: false,
      lib: {
        entry: join(here, 'page-commit-entry.ts'),
        formats: ['es'],
        fileName: () => 'entry.js'
      }
    }
  })
  const ndjson = Buffer.from(
    Array.from(rawRecords(RECORDS), (raw) => `${JSON.stringify(raw)}\n`).join('')
  )
  const entry = await readFile(join(out, 'entry.js'))
  server = createServer((request, response) => {
    if (request.url === '/entry.js') {
      response.setHeader('content-type', 'text/javascript')
      response.end(entry)
    } else if (request.url === '/records.ndjson') {
      response.end(ndjson)
    } else {
      response.setHeader('content-type', 'text/html')
      response.end(
        '<!doctype html><script type="module">import * as b from "/entry.js"; window.bench = b; document.title = "ready"</script>'
      )
    }
  }).listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const origin = `http://127.0.0.1:${server.address().port}`

  context = await launchChromium(profileDir)
  const page = context.pages()[0] ?? (await context.newPage())
  await page.goto(`${origin}/`)
  await page.waitForFunction(() => document.title === 'ready')
  console.log(`[bench] packing ${RECORDS.toLocaleString()} records in the page…`)
  const chunks = await page.evaluate(async () => {
    const text = await (await fetch('/records.ndjson')).text()
    window.packed = window.bench.packNdjson(text)
    return window.packed.length
  })

  const results = {
    date: new Date().toISOString(),
    machine: machineInfo(),
    records: RECORDS,
    chunks
  }
  results.unpackMs = Math.round(await page.evaluate(() => window.bench.unpackAll(window.packed)))
  results.packedBytes = await page.evaluate(() => window.packed.reduce((n, c) => n + c.length, 0))

  const profiler = process.env.CAX_BENCH_PROFILE ? await context.newCDPSession(page) : null
  if (profiler) {
    await profiler.send('Profiler.enable')
    await profiler.send('Profiler.start')
  }
  const cpu0 = cpuSeconds(process.pid, profileDir)
  const commit = await page.evaluate(
    (n) => window.bench.commitFresh(window.packed, n),
    CHUNKS_PER_BATCH
  )
  const cpu1 = cpuSeconds(process.pid, profileDir)
  if (profiler) {
    const { profile } = await profiler.send('Profiler.stop')
    console.log(`[bench] page profile during the commit, by self time:\n${topSelfTime(profile)}`)
  }
  // A quarter of the records again: every one already cached.
  const repeat = await page.evaluate(
    (n) =>
      window.bench.commitRepeats(window.packed.slice(0, Math.ceil(window.packed.length / 4)), n),
    CHUNKS_PER_BATCH
  )
  const cpuRepeat = cpuSeconds(process.pid, profileDir)
  const rawMs = await page.evaluate(
    (n) => window.bench.rawWriteAll(window.packed, n),
    CHUNKS_PER_BATCH
  )
  const cpu2 = cpuSeconds(process.pid, profileDir)
  if (commit.stored !== RECORDS) {
    throw new Error(`stored ${commit.stored} of ${RECORDS} records`)
  }
  Object.assign(results, {
    commitMs: Math.round(commit.ms),
    commitPerSecond: Math.round(RECORDS / (commit.ms / 1000)),
    commitCpuSeconds: cpuSince(cpu0, cpu1),
    repeatMs: Math.round(repeat.ms),
    repeatDuplicates: repeat.duplicates,
    repeatPerSecond: Math.round(repeat.duplicates / (repeat.ms / 1000)),
    rawWriteMs: Math.round(rawMs),
    rawPerSecond: Math.round(RECORDS / (rawMs / 1000)),
    rawCpuSeconds: cpuSince(cpuRepeat, cpu2),
    target: { ingestPerSecond: 30_000 }
  })
  results.ratio = Math.round((results.commitPerSecond / results.rawPerSecond) * 100) / 100
  results.machine.loadAverageAtEnd = loadavg()
  mkdirSync(join(here, 'results'), { recursive: true })
  writeFileSync(join(here, 'results', 'page-commit.json'), `${JSON.stringify(results, null, 2)}\n`)
  const cpu = (c) => `${c.renderer} s renderer, ${c.browser} s browser`
  console.log(
    [
      `\nPage commit of ${RECORDS.toLocaleString()} records in ${chunks} chunks (${(results.packedBytes / 1024 ** 2).toFixed(0)} MB packed; load ${results.machine.loadAverageAtStart.map((v) => v.toFixed(1)).join(' ')} → ${results.machine.loadAverageAtEnd.map((v) => v.toFixed(1)).join(' ')})`,
      `  commitPacked           ${results.commitMs} ms  ${results.commitPerSecond.toLocaleString()} records/s  (${cpu(results.commitCpuSeconds)})  target ≥ 30,000/s for the whole ingest`,
      `  floor: raw IDB write   ${results.rawWriteMs} ms  ${results.rawPerSecond.toLocaleString()} records/s  (${cpu(results.rawCpuSeconds)})  ratio ${results.ratio}`,
      `  floor: unpack only     ${results.unpackMs} ms`,
      `  re-commit of ${repeat.duplicates.toLocaleString()} cached records: ${results.repeatMs} ms  ${results.repeatPerSecond.toLocaleString()} records/s`
    ].join('\n')
  )
} finally {
  await context?.close()
  server?.close()
  await rm(out, { recursive: true, force: true })
  await rm(profileDir, { recursive: true, force: true })
}
