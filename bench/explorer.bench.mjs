// Cache-at-scale benchmark (issue 11): realistic, varied audit records go into the cache through
// the real ingest path — a snapshot import in the browser shell: main reads and normalizes the
// records and hands them to the page in acknowledged batches, the page commits them to IndexedDB —
// then the cache is opened again and explored in Debian's Chromium: first rows, whole cache ready,
// filter/facet changes, quick search, sort, scrolling, memory. Last, in the same run, it writes the
// same number of bytes to IndexedDB without the cache's logic (the raw rate), so the ratio shows
// what the cache costs, and reads them back; then it writes and reads back rows the size of the
// column chunks opening reads (the least an opening that reads those bytes pays). Writes
// bench/results/explorer.json and prints every figure with its target.
//
//   npm run bench                                            (every bench/*.bench.mjs)
//   CAX_BENCH_RECORDS=100000 node bench/explorer.bench.mjs   (a smaller run)
//   CAX_BENCH_RECORDS=5000000 node bench/explorer.bench.mjs  (the 5M targets)
// The generated snapshot is kept in $TMPDIR/cax-bench-cache/ for the next run (it takes a while);
//   CAX_BENCH_PREPARE_ONLY=1 makes it and stops (e.g. under `nice` while the machine is busy).
//   CAX_BENCH_PROFILE=1 prints CPU profiles; CAX_BENCH_MEMORY=1 where the renderer's memory goes.
//   Chromium runs with the desktop app's V8 flags; CAX_BENCH_CHROMIUM_ARGS adds switches (a JSON
//   array for one with spaces; a `--js-flags=…` among them replaces the app's, '["--js-flags="]'
//   runs V8's defaults). The results note both.
import { execFileSync, execSync } from 'node:child_process'
import { createWriteStream, existsSync, statSync } from 'node:fs'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'

import { GENERATOR_VERSION, rawRecords } from './explorer-records.mjs'
import {
  columnBytesInPage,
  filterChangesInPage,
  quickSearchesInPage,
  rawWriteInPage,
  scrollInPage,
  sortInPage,
  stackChangesInPage
} from './explorer-in-page.mjs'
import { memoryProbes, workerHeap } from './memory-probes.mjs'
import { STACK_PLAN } from './stack-plan.mjs'
import {
  cpuSeconds,
  cpuSince,
  EXTRA_CHROMIUM_ARGS,
  JS_FLAGS_SWITCH,
  machineInfo,
  openAppInChromium,
  profileWorkers,
  rendererMemory,
  ROOT,
  pageProfiler,
  topSelfTime
} from './browser-shell.mjs'

const RECORDS = Number(process.env['CAX_BENCH_RECORDS'] ?? 1_000_000)
const CHANGES = 50
const SEARCHES = 12
const STACKS = 24
const DEBOUNCE_MS = 250
const IS_5M = RECORDS >= 5_000_000
/**
 * How long the page has stayed idle when memory is read again (twice): V8 and Chromium give
 * back garbage and freed pages some seconds after the last activity, not at a fixed time.
 */
const IDLE_MEMORY_MS = [10_000, 30_000]
/** Targets of issue 11 (the 5M run has its own for opening, filters and memory). */
const TARGETS = {
  ingestPerSecond: 30_000,
  ingestMs: (RECORDS / 1_000_000) * 35_000,
  firstRowsMs: 1000,
  readyMs: IS_5M ? 15_000 : 3000,
  quickSearchP95Ms: 100,
  filterP95Ms: IS_5M ? 500 : 100,
  stackP95Ms: IS_5M ? 500 : 100,
  scrollP95Ms: 33,
  memoryBytes: IS_5M ? 2 * 1024 ** 3 : 600 * 1024 ** 2
}

/** A verified snapshot of `count` generated records, made once with `cax import` + `cax snapshot`. */
async function snapshotFile(count) {
  const dir = join(tmpdir(), 'cax-bench-cache')
  await mkdir(dir, { recursive: true })
  const file = join(dir, `explorer-${count}-g${GENERATOR_VERSION}.caxsnap`)
  if (existsSync(file)) {
    return file
  }
  const cli = join(ROOT, 'out/main/cli.js')
  if (!existsSync(cli)) {
    console.log('[bench] building the CLI bundle (npm run build:bundle)…')
    execSync('npm run build:bundle', { cwd: ROOT, stdio: 'inherit' })
  }
  console.log(`[bench] generating ${count.toLocaleString()} records (kept in ${dir})…`)
  const ndjson = join(dir, `explorer-${count}.ndjson`)
  const out = createWriteStream(ndjson)
  let lines = []
  for (const record of rawRecords(count)) {
    lines.push(JSON.stringify(record))
    if (lines.length === 10_000) {
      if (!out.write(`${lines.join('\n')}\n`)) {
        await new Promise((resolve) => out.once('drain', resolve))
      }
      lines = []
    }
  }
  out.end(lines.length > 0 ? `${lines.join('\n')}\n` : '')
  await new Promise((resolve) => out.on('finish', resolve))
  const store = join(dir, `store-${count}`)
  await rm(store, { recursive: true, force: true })
  execFileSync(process.execPath, [cli, 'import', ndjson, '--store', store, '--json'], {
    stdio: ['ignore', 'ignore', 'inherit']
  })
  execFileSync(
    process.execPath,
    [cli, 'snapshot', '--store', store, '--out', `${file}.part`, '--json'],
    {
      stdio: ['ignore', 'ignore', 'inherit']
    }
  )
  await rename(`${file}.part`, file)
  await rm(store, { recursive: true, force: true })
  await rm(ndjson, { force: true })
  return file
}

/** The two slowest terms of a `{ term: ms }` record, as `term ms, term ms`. */
function slowest(byTerm) {
  return Object.entries(byTerm ?? {})
    .sort((a, b) => b[1] - a[1])
    .slice(0, 2)
    .map(([term, t]) => `${term} ${t} ms`)
    .join(', ')
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN
}

const mb = (bytes) => (bytes == null ? 'n/a' : `${(bytes / 1024 ** 2).toFixed(0)} MB`)
const ms = (value) => (value == null || Number.isNaN(value) ? 'n/a' : `${value.toFixed(0)} ms`)

async function main() {
  const snapshot = await snapshotFile(RECORDS)
  const { page, child, profileDir, close } = await openAppInChromium('explorer')
  const results = {
    date: new Date().toISOString(),
    machine: machineInfo(),
    records: RECORDS,
    snapshotBytes: statSync(snapshot).size,
    targets: TARGETS,
    jsFlags: JS_FLAGS_SWITCH,
    ...(EXTRA_CHROMIUM_ARGS.length > 0 ? { chromiumArgs: EXTRA_CHROMIUM_ARGS } : {})
  }
  try {
    // Ingest: a snapshot import through the browser shell, as a user does it.
    await page.getByRole('link', { name: 'Sync', exact: true }).click()
    await page.getByRole('heading', { name: 'Snapshots' }).waitFor()
    console.log(`[bench] importing ${RECORDS.toLocaleString()} records through the browser shell…`)
    // CAX_BENCH_PROFILE=1: a CPU profile of the page during the ingest, summarized by self time.
    const profiler = await pageProfiler(page)
    const importStarted = Date.now()
    const cpuAtStart = cpuSeconds(child.pid, profileDir)
    // The browser shell's file picker: the page uploads the file, main verifies and imports it.
    await page.getByLabel('Snapshot file').setInputFiles(snapshot)
    const importBox = page.getByTestId('snapshot-import')
    await page
      .locator(
        '[data-testid="snapshot-import"]:is([data-status="importing"],[data-status="done"],[data-status="failed"])'
      )
      .waitFor({ timeout: 60 * 60_000 })
    results.verifyMs = Date.now() - importStarted
    const cpuAtVerified = cpuSeconds(child.pid, profileDir)
    results.verifyCpuSeconds = cpuSince(cpuAtStart, cpuAtVerified)
    await page
      .locator(
        '[data-testid="snapshot-import"]:is([data-status="done"],[data-status="failed"],[data-status="cancelled"])'
      )
      .waitFor({ timeout: 4 * 60 * 60_000 })
    results.importMs = Date.now() - importStarted
    await profiler.stop('page profile during ingest')
    results.ingestCpuSeconds = cpuSince(cpuAtVerified, cpuSeconds(child.pid, profileDir))
    results.ingestPerCpuSecond = RECORDS / results.ingestCpuSeconds.total
    results.ingestMs = results.importMs - results.verifyMs
    results.importStatus = await importBox.getAttribute('data-status')
    results.importText = (await page.getByTestId('snapshot-import-counts').textContent()) ?? ''
    results.ingestPerSecond = RECORDS / (results.ingestMs / 1000)
    results.storage = await page.evaluate(() => navigator.storage.estimate())
    console.log(
      `[bench] ${results.importStatus}: ${results.importText} — verify ${results.verifyMs} ms, ingest ${results.ingestMs} ms`
    )

    // Open the cache again.
    await page.evaluate(() => (window.location.hash = '#explorer'))
    // CAX_BENCH_PROFILE=1: CPU profiles of the page and of the query worker while opening.
    const openProfiler = process.env['CAX_BENCH_PROFILE']
      ? await page.context().newCDPSession(page)
      : null
    const workerProfiler = openProfiler ? await profileWorkers(openProfiler) : null
    if (openProfiler) {
      await openProfiler.send('Profiler.enable')
      await openProfiler.send('Profiler.start')
    }
    const opened = Date.now()
    const cpuAtOpen = cpuSeconds(child.pid, profileDir)
    await page.reload()
    await page.waitForFunction(
      () =>
        (document.querySelector('[role="row"][row-index="0"] [col-id="userId"]')?.textContent ??
          '') !== '',
      undefined,
      { timeout: 30 * 60_000, polling: 50 }
    )
    results.firstRowsMs = Date.now() - opened
    await page.waitForFunction(
      (n) => {
        const text = document.querySelector('[data-testid="explorer-status"]')?.textContent ?? ''
        return !text.includes('loading') && text.includes(`of ${n.toLocaleString()} records`)
      },
      RECORDS,
      { timeout: 30 * 60_000, polling: 50 }
    )
    results.readyMs = Date.now() - opened
    results.openCpuSeconds = cpuSince(cpuAtOpen, cpuSeconds(child.pid, profileDir))
    if (openProfiler && workerProfiler) {
      const { profile } = await openProfiler.send('Profiler.stop')
      console.log(`[bench] page profile while opening, by self time:\n${topSelfTime(profile)}`)
      for (const workerProfile of await workerProfiler.stop()) {
        console.log(`[bench] worker profile while opening:\n${topSelfTime(workerProfile)}`)
      }
    }
    console.log(`[bench] first rows ${results.firstRowsMs} ms, ready ${results.readyMs} ms`)
    // The renderer's memory after each phase (where it grows, and what an idle moment gives back).
    const memoryNow = () => {
      const memory = rendererMemory(profileDir)
      return { rssBytes: memory?.rss ?? null, privateBytes: memory?.privateBytes ?? null }
    }
    // With the query worker's buffers (its index, and its garbage not collected yet).
    const phaseCdp = await page.context().newCDPSession(page)
    const workerBuffers = async () => (await workerHeap(phaseCdp))?.bufferBytes ?? null
    results.memoryByPhase = []
    const memoryAfter = async (phase) =>
      results.memoryByPhase.push({
        phase,
        ...memoryNow(),
        workerBufferBytes: await workerBuffers()
      })
    await memoryAfter('ready')
    await page.waitForTimeout(1000)

    // CAX_BENCH_PROFILE=1: the page's and the worker's profiles while exploring (filters to scroll).
    if (openProfiler && workerProfiler) {
      await openProfiler.send('Profiler.start')
      await workerProfiler.start()
    }
    const filters = await page.evaluate(filterChangesInPage, { changes: CHANGES })
    results.filterChanges = {
      count: filters.times.length,
      timedOut: filters.failed,
      p50Ms: percentile(filters.times, 50),
      p95Ms: percentile(filters.times, 95),
      maxMs: Math.max(...filters.times)
    }
    await memoryAfter('filters')

    const stacks = await page.evaluate(stackChangesInPage, { changes: STACKS, plan: STACK_PLAN })
    results.stackChanges = {
      count: stacks.times.length,
      timedOut: stacks.failed,
      p50Ms: percentile(stacks.times, 50),
      p95Ms: percentile(stacks.times, 95),
      maxMs: Math.max(...stacks.times),
      timesMs: stacks.times.map((t) => Math.round(t))
    }
    await memoryAfter('stacks')
    await page.waitForTimeout(500)

    const terms = [
      'user1234@',
      'shared_sql_17',
      // Phrases are quoted: side by side, words are separate terms (search syntax).
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
    ].slice(0, SEARCHES)
    const searches = await page.evaluate(quickSearchesInPage, { terms, debounceMs: DEBOUNCE_MS })
    results.quickSearch = {
      count: searches.times.length,
      timedOut: searches.failed,
      debounceMs: DEBOUNCE_MS,
      p50Ms: percentile(searches.times, 50),
      p95Ms: percentile(searches.times, 95),
      // In the order searched (the first one may find chunks the idle preparation has not
      // reached yet: the filter and stack changes before it kept the worker busy).
      byTermMs: searches.byTerm
    }
    await memoryAfter('searches')
    await page.waitForTimeout(1500)

    results.sort = {}
    for (const colId of ['userId', 'activity', 'clientIp', 'createdAt']) {
      results.sort[colId] = await page.evaluate(sortInPage, { colId })
      await page.waitForTimeout(300)
    }
    results.sortMaxMs = Math.max(...Object.values(results.sort).map((v) => v ?? Infinity))
    // Two more keys by shift-click after the last sort: user, then IP address.
    await page.evaluate(sortInPage, { colId: 'userId' })
    await page.waitForTimeout(300)
    results.multiSortMs = await page.evaluate(sortInPage, { colId: 'clientIp', isAdded: true })
    await page.waitForTimeout(300)
    await memoryAfter('sorts')
    // CAX_BENCH_MEMORY=1: Chromium's memory dump by allocator before and after scrolling, and
    // what the page allocated while scrolling, by function (memory-probes.mjs).
    const probes = process.env['CAX_BENCH_MEMORY'] ? await memoryProbes(page) : null
    if (probes) {
      console.log(`[bench] renderer memory by allocator after sorting:\n${await probes.dump()}`)
      await probes.startSampling()
    }
    const scroll = await page.evaluate(scrollInPage, { frames: 180, step: 700 })
    results.scroll = {
      frames: scroll.deltas.length,
      p50FrameMs: percentile(scroll.deltas, 50),
      p95FrameMs: percentile(scroll.deltas, 95),
      maxFrameMs: Math.max(...scroll.deltas),
      rowsShown: scroll.rowsShown,
      rowsStillLoadingAfter500ms: scroll.emptyRows
    }

    if (openProfiler && workerProfiler) {
      const { profile } = await openProfiler.send('Profiler.stop')
      console.log(`[bench] page profile while exploring, by self time:\n${topSelfTime(profile)}`)
      for (const workerProfile of await workerProfiler.stop()) {
        console.log(`[bench] worker profile while exploring:\n${topSelfTime(workerProfile)}`)
      }
    }
    if (probes) {
      console.log(`[bench] the page allocated while scrolling:\n${await probes.stopSampling()}`)
      console.log(`[bench] renderer memory by allocator after scrolling:\n${await probes.dump()}`)
      await probes.close()
    }
    const cdp = await page.context().newCDPSession(page)
    await cdp.send('Performance.enable')
    const { metrics } = await cdp.send('Performance.getMetrics')
    results.pageHeapBytes = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? null
    const worker = await workerHeap(cdp)
    results.workerHeapBytes = worker?.heapBytes ?? null
    results.workerBufferBytes = worker?.bufferBytes ?? null
    results.heapBytes = (results.pageHeapBytes ?? 0) + (results.workerHeapBytes ?? 0)
    const memory = memoryNow()
    results.rendererRssBytes = memory.rssBytes
    results.rendererPrivateBytes = memory.privateBytes
    // Then again once the page has stayed idle for a while (as after a user's last scroll):
    // Chromium collects and gives back memory when idle. The target is judged on the first.
    const idleSince = Date.now()
    results.idleMemory = []
    for (const afterMs of IDLE_MEMORY_MS) {
      await page.waitForTimeout(Math.max(0, afterMs - (Date.now() - idleSince)))
      results.idleMemory.push({ afterMs, ...memoryNow(), workerBufferBytes: await workerBuffers() })
    }
    // The raw rates, measured last so their gigabytes of throw-away rows (written, read, then
    // deleted) do not weigh on the opening and exploring measured above: the same bytes as the
    // cache holds, chunk-sized rows, one per transaction, no cache logic; then rows the size of
    // the column chunks opening reads, read back as opening reads them — the least any opening
    // that reads those bytes out of IndexedDB pays.
    const chunks = Math.ceil(RECORDS / 4096)
    const bytesPerRow = Math.max(1, Math.round((results.storage.usage ?? 0) / chunks))
    const raw = await page.evaluate(rawWriteInPage, {
      rows: chunks,
      bytes: bytesPerRow,
      perTransaction: 1
    })
    results.rawWriteMs = raw.writeMs
    results.rawReadMs = raw.readMs
    results.rawReadBytes = raw.readBytes
    results.rawWriteBytes = chunks * bytesPerRow
    results.rawRecordsPerSecond = RECORDS / (results.rawWriteMs / 1000)
    const columns = await page.evaluate(columnBytesInPage)
    const columnRaw = await page.evaluate(rawWriteInPage, {
      rows: columns.rows,
      bytes: Math.max(1, Math.round(columns.bytes / Math.max(1, columns.rows))),
      perTransaction: 1
    })
    results.columnBytes = columns.bytes
    results.columnRows = columns.rows
    results.rawColumnReadMs = columnRaw.readMs
    results.machine.loadAverageAtEnd = loadavg()
  } finally {
    await close()
  }

  await mkdir(join(ROOT, 'bench', 'results'), { recursive: true })
  await writeFile(
    join(ROOT, 'bench', 'results', IS_5M ? 'explorer-5m.json' : 'explorer.json'),
    `${JSON.stringify(results, null, 2)}\n`
  )
  const verdict = (ok) => (ok ? 'ok' : 'MISSED')
  const rate = (value) => `${Math.round(value).toLocaleString()} records/s`
  const rows = [
    ['Records', RECORDS.toLocaleString(), '', ''],
    ['Snapshot uploaded and verified (SHA-256s)', ms(results.verifyMs), '', ''],
    [
      'Ingest (hand-over + commit), rate',
      `${rate(results.ingestPerSecond)} (${ms(results.ingestMs)})`,
      `≥ ${rate(TARGETS.ingestPerSecond)}, ≤ ${ms(TARGETS.ingestMs)}`,
      verdict(
        results.ingestPerSecond >= TARGETS.ingestPerSecond && results.ingestMs <= TARGETS.ingestMs
      )
    ],
    [
      'Ingest CPU seconds (shell / renderer / browser / other)',
      `${results.ingestCpuSeconds.total} s (${results.ingestCpuSeconds.shell} / ${results.ingestCpuSeconds.renderer} / ${results.ingestCpuSeconds.browser} / ${results.ingestCpuSeconds.other}) = ${rate(results.ingestPerCpuSecond)} per CPU second`,
      '',
      ''
    ],
    [
      'Raw IndexedDB write of the same bytes',
      `${rate(results.rawRecordsPerSecond)} (${mb(results.rawWriteBytes)} in ${ms(results.rawWriteMs)})`,
      '',
      ''
    ],
    [
      'Raw IndexedDB read of the same bytes (a dozen rows per request)',
      `${mb(results.rawReadBytes)} in ${ms(results.rawReadMs)}`,
      '',
      ''
    ],
    ['Cache on disk (storage estimate)', mb(results.storage?.usage), '', ''],
    [
      'Raw IndexedDB read of the column chunks opening reads',
      `${mb(results.columnBytes)} in ${results.columnRows} rows: ${ms(results.rawColumnReadMs)} (ready took ${(results.readyMs / results.rawColumnReadMs).toFixed(2)}×)`,
      '',
      ''
    ],
    [
      'First rows after opening',
      ms(results.firstRowsMs),
      `≤ ${ms(TARGETS.firstRowsMs)}`,
      verdict(results.firstRowsMs <= TARGETS.firstRowsMs)
    ],
    [
      'Whole cache ready (counts, facets, sort, search)',
      ms(results.readyMs),
      `≤ ${ms(TARGETS.readyMs)}`,
      verdict(results.readyMs <= TARGETS.readyMs)
    ],
    [
      'Opening CPU seconds (shell / renderer / browser / other)',
      `${results.openCpuSeconds.total} s (${results.openCpuSeconds.shell} / ${results.openCpuSeconds.renderer} / ${results.openCpuSeconds.browser} / ${results.openCpuSeconds.other})`,
      '',
      ''
    ],
    [
      'Filter/facet change p95',
      `${ms(results.filterChanges.p95Ms)} (p50 ${ms(results.filterChanges.p50Ms)}, n=${results.filterChanges.count}, ${results.filterChanges.timedOut} timed out)`,
      `≤ ${ms(TARGETS.filterP95Ms)}`,
      verdict(
        results.filterChanges.p95Ms <= TARGETS.filterP95Ms && results.filterChanges.timedOut === 0
      )
    ],
    [
      'Quick search p95 after the debounce',
      `${ms(results.quickSearch.p95Ms)} (p50 ${ms(results.quickSearch.p50Ms)}, n=${results.quickSearch.count}, ${results.quickSearch.timedOut} timed out; slowest: ${slowest(results.quickSearch.byTermMs)})`,
      `≤ ${ms(TARGETS.quickSearchP95Ms)}`,
      verdict(
        results.quickSearch.p95Ms <= TARGETS.quickSearchP95Ms && results.quickSearch.timedOut === 0
      )
    ],
    [
      'Stack change p95 (1 or 2 columns, whole view)',
      `${ms(results.stackChanges.p95Ms)} (p50 ${ms(results.stackChanges.p50Ms)}, n=${results.stackChanges.count}, ${results.stackChanges.timedOut} timed out)`,
      `≤ ${ms(TARGETS.stackP95Ms)}`,
      verdict(
        results.stackChanges.p95Ms <= TARGETS.stackP95Ms && results.stackChanges.timedOut === 0
      )
    ],
    ['Sort (slowest of 4 columns)', ms(results.sortMaxMs), '', ''],
    ['Second sort key by shift-click (user, then IP)', ms(results.multiSortMs), '', ''],
    [
      'Scroll frame p50 / p95 / max',
      `${ms(results.scroll.p50FrameMs)} / ${ms(results.scroll.p95FrameMs)} / ${ms(results.scroll.maxFrameMs)}`,
      `p95 ≤ ${ms(TARGETS.scrollP95Ms)}`,
      verdict(results.scroll.p95FrameMs <= TARGETS.scrollP95Ms)
    ],
    [
      'Renderer process RSS (page + worker)',
      `${mb(results.rendererRssBytes)} (JS heap page ${mb(results.pageHeapBytes)}, worker ${mb(results.workerHeapBytes)} + its buffers ${mb(results.workerBufferBytes)})`,
      `≤ ${mb(TARGETS.memoryBytes)}`,
      verdict((results.rendererRssBytes ?? Infinity) <= TARGETS.memoryBytes)
    ],
    [
      '  the same: private pages / idle: RSS, private',
      `${mb(results.rendererPrivateBytes)} / ${results.idleMemory.map((m) => `${mb(m.rssBytes)}, ${mb(m.privateBytes)}, worker's buffers ${mb(m.workerBufferBytes)} (${m.afterMs / 1000} s later)`).join('; ')}`,
      '',
      ''
    ],
    [
      '  RSS / private after each phase',
      results.memoryByPhase
        .map(
          (m) =>
            `${m.phase} ${mb(m.rssBytes)} / ${mb(m.privateBytes)} (worker's buffers ${mb(m.workerBufferBytes)})`
        )
        .join(', '),
      '',
      ''
    ]
  ]
  console.log(
    `\nCache at scale (${cpus().length} cores, load average ${results.machine.loadAverageAtStart.map((v) => v.toFixed(1)).join(' ')} → ${results.machine.loadAverageAtEnd?.map((v) => v.toFixed(1)).join(' ') ?? 'n/a'})`
  )
  console.log(`Chromium ${results.jsFlags} (the desktop app's V8 flags unless switches say other)`)
  if (results.chromiumArgs) {
    console.log(`Chromium switches added: ${results.chromiumArgs.join(' ')}`)
  }
  for (const [name, value, target, ok] of rows) {
    console.log(`${name.padEnd(50)} ${value.padEnd(64)} ${target.padEnd(36)} ${ok}`)
  }
}

if (process.env['CAX_BENCH_PREPARE_ONLY']) {
  console.log(`[bench] snapshot ready: ${await snapshotFile(RECORDS)}`)
} else {
  await main()
}
