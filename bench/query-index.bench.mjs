// The Explorer's query engine at scale, under Node: the index the query worker builds from the
// cache's column chunks (src/renderer/src/explorer/column-index.ts), fed the explorer benchmark's
// records (explorer-records.mjs) normalized and encoded with the cache's codec first (not
// measured). It times what the worker does once IndexedDB has handed it the chunks — opening
// (first rows, whole cache ready), facet and range changes, quick searches, stacks, sorts, grid
// pages, and the quick search filters it builds while idle — and, in the same run, the floor: one
// read of every stored code of the same chunks.
// The browser figures (IndexedDB reads, structured clone, postMessage, rendering) are
// explorer.bench.mjs's; this one isolates the engine so its costs can be profiled and compared.
// Writes bench/results/query-index.json.
//
// BENCH_ROWS overrides the record count (e.g. BENCH_ROWS=200000 for a quick run);
// CAX_BENCH_PROFILE=1 prints the functions with the most self time.
import { mkdirSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { Session } from 'node:inspector/promises'
import { cpus, loadavg, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

import { build } from 'vite'

import { topSelfTime } from './browser-shell.mjs'
import { rawRecords } from './explorer-records.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const rows = Number(process.env.BENCH_ROWS ?? 1_000_000)
const TERMS = [
  'user1234@',
  'shared_sql_17',
  '"app 2999"',
  'finance',
  '10.3.17.',
  'putconnectionpermission',
  'canedit',
  'europe/paris',
  '"team 12"',
  'a7',
  'failed',
  'powerapps/3.24'
]

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN
}

const out = await mkdtemp(join(tmpdir(), 'cax-bench-query-index-'))
try {
  await build({
    configFile: false,
    logLevel: 'warn',
    root: here,
    ssr: { noExternal: true },
    build: {
      ssr: join(here, 'query-index-entry.ts'),
      outDir: out,
      emptyOutDir: true,
      rollupOptions: { output: { entryFileNames: 'entry.mjs' } }
    }
  })
  const entry = await import(pathToFileURL(join(out, 'entry.mjs')).href)
  console.log(`[bench] generating and encoding ${rows.toLocaleString()} records…`)
  const chunks = entry.makeChunks(rawRecords(rows))
  global.gc?.()
  const loadAtStart = loadavg()
  const heapBefore = process.memoryUsage()
  const cpu0 = process.cpuUsage()
  const f0 = performance.now()
  entry.readFloor(chunks)
  const floorMs = performance.now() - f0
  const session = process.env['CAX_BENCH_PROFILE'] ? new Session() : null
  if (session) {
    session.connect()
    await session.post('Profiler.enable')
    await session.post('Profiler.start')
  }
  const cpu1 = process.cpuUsage()
  const figures = entry.explore(chunks, TERMS)
  const cpu = process.cpuUsage(cpu1)
  if (session) {
    const { profile } = await session.post('Profiler.stop')
    console.log(`[bench] profile by self time:\n${topSelfTime(profile, 30)}`)
  }
  const heapAfter = process.memoryUsage()
  void cpu0
  const results = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, loadAverageAtStart: loadAtStart, loadAverageAtEnd: loadavg() },
    rows,
    chunks: chunks.length,
    floorMs: Math.round(floorMs),
    firstRowsMs: Math.round(figures.firstRowsMs),
    readyMs: Math.round(figures.readyMs),
    appendMs: Math.round(figures.appendMs),
    searchPrepMs: Math.round(figures.searchPrepMs),
    filterP50Ms: Math.round(percentile(figures.filterMs, 50)),
    filterP95Ms: Math.round(percentile(figures.filterMs, 95)),
    searchP50Ms: Math.round(percentile(figures.searchMs, 50)),
    searchP95Ms: Math.round(percentile(figures.searchMs, 95)),
    stackP50Ms: Math.round(percentile(figures.stackMs, 50)),
    stackP95Ms: Math.round(percentile(figures.stackMs, 95)),
    stackMs: figures.stackMs.map((v) => Math.round(v)),
    searchMs: figures.searchMs.map((v) => Math.round(v)),
    sortMaxMs: Math.round(Math.max(...figures.sortMs)),
    sortMs: figures.sortMs.map((v) => Math.round(v)),
    pageP95Ms: Math.round(percentile(figures.pageMs, 95) * 10) / 10,
    cpuSeconds: Math.round(((cpu.user + cpu.system) / 1e6) * 100) / 100,
    indexTypedBytes: figures.typedBytes,
    poolBytes: figures.poolBytes,
    heapGrowthBytes:
      heapAfter.heapUsed + heapAfter.arrayBuffers - heapBefore.heapUsed - heapBefore.arrayBuffers
  }
  mkdirSync(join(here, 'results'), { recursive: true })
  writeFileSync(join(here, 'results', 'query-index.json'), `${JSON.stringify(results, null, 2)}\n`)
  const mb = (b) => `${(b / 1024 ** 2).toFixed(0)} MB`
  console.log(
    `\nQuery engine over ${rows.toLocaleString()} records in ${chunks.length} chunks (${cpus().length} cores, load average ${loadAtStart.map((v) => v.toFixed(1)).join(' ')} → ${results.machine.loadAverageAtEnd.map((v) => v.toFixed(1)).join(' ')})`
  )
  const table = [
    ['Floor: read every stored code once', `${results.floorMs} ms`],
    ['First rows (two chunks + first page)', `${results.firstRowsMs} ms`],
    [
      'Ready (every chunk appended + first page)',
      `${results.readyMs} ms (appending ${results.appendMs} ms)`
    ],
    ['Search filters, made while idle after ready', `${results.searchPrepMs} ms`],
    ['Filter/facet change p50 / p95', `${results.filterP50Ms} / ${results.filterP95Ms} ms`],
    ['Quick search p50 / p95', `${results.searchP50Ms} / ${results.searchP95Ms} ms`],
    ['Stack p50 / p95', `${results.stackP50Ms} / ${results.stackP95Ms} ms`],
    ['Sort (slowest of 5 columns)', `${results.sortMaxMs} ms`],
    ['Grid page of 100 rows p95', `${results.pageP95Ms} ms`],
    ['CPU seconds (everything above but the floor)', `${results.cpuSeconds} s`],
    [
      'Index typed arrays / heap growth',
      `${mb(results.indexTypedBytes)} / ${mb(results.heapGrowthBytes)}`
    ],
    [
      'Value pools: text / offsets / shared places',
      `${mb(results.poolBytes.text)} / ${mb(results.poolBytes.offsets)} / ${mb(results.poolBytes.shared)}`
    ]
  ]
  for (const [name, value] of table) {
    console.log(`${name.padEnd(46)} ${value}`)
  }
} finally {
  await rm(out, { recursive: true, force: true })
}
