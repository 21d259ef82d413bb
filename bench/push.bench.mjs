// Issue 15 at scale: a store of N records (CAX_BENCH_PUSH_RECORDS, default 1,000,000; the
// governance benchmark's records, imported with the BUILT CLI) pushed with `cax push adx` to the
// emulator's fake Kusto cluster and with `cax push loganalytics` to its fake Logs Ingestion API.
// Each push is killed with SIGKILL part-way (once the journal shows about 40% of the records in
// sent parts), then run again to completion; the fake table must then hold exactly N rows with N
// distinct Ids (nothing lost, nothing doubled). Prints records/s over both runs, CPU-seconds
// (user + system) and peak RSS of the CLI, the parts, and as the floor the time to read the store
// and serialize + gzip the same NDJSON without sending it (bench/push-entry.ts, same run).
// Writes bench/results/push.json.
import { execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

import { build } from 'vite'

import { SPAN, START, writeGovernanceNdjson } from './governance-records.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..')
const cli = join(root, 'out/main/cli.js')
const N = Number(process.env.CAX_BENCH_PUSH_RECORDS ?? 1_000_000)
const KILL_AT = 0.4
const UNTIL = new Date(START + SPAN + 86_400_000)
const load = () => loadavg().map((l) => Number(l.toFixed(2)))

/** The newest modification time (ms) of any file under `dir`. */
function newestMtime(dir) {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs)
  }
  return newest
}

// The bench drives the BUILT CLI: rebuild when it is missing or older than any source file, so a
// run never measures (or checks) code that is not the one in src/.
if (!existsSync(cli) || statSync(cli).mtimeMs < newestMtime(join(root, 'src'))) {
  console.log('[bench] out/main/cli.js missing or older than src/: building (electron-vite build)…')
  execFileSync(
    process.execPath,
    [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--logLevel', 'warn'],
    { cwd: root, stdio: 'inherit' }
  )
}

// CPU (user + system) and peak RSS of a CLI run that ends by itself, from its own exit hook.
const hook =
  'data:text/javascript,process.on("exit",()=>{const u=process.resourceUsage();process.stderr.write("BENCH_USAGE="+JSON.stringify({cpuUs:u.userCPUTime+u.systemCPUTime,maxRssKb:u.maxRSS})+"\\n")})'
const CLK_TCK = 100

/** CPU seconds and peak RSS (VmHWM) of a live process, from /proc (for the run that is killed). */
function procUsage(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / CLK_TCK
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return { cpuSeconds, maxRssKb: Number(hwm?.[1] ?? NaN) }
  } catch {
    return undefined
  }
}

/** The journal's lines (a torn last line, as a kill may leave, is skipped). */
async function journalLines(journal) {
  const text = await readFile(journal, 'utf8').catch(() => '')
  return text.split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line)]
    } catch {
      return []
    }
  })
}

/** Records in parts the journal shows as sent (a part line carries its count, a sent line its tag). */
async function sentRecords(journal) {
  const counts = new Map()
  let sent = 0
  let parts = 0
  for (const l of await journalLines(journal)) {
    if (l.kind === 'part') {
      counts.set(l.tag, l.count)
    } else if (l.kind === 'sent') {
      sent += counts.get(l.tag) ?? 0
      parts++
    }
  }
  return { sent, parts }
}

/**
 * Parts planned but not marked sent when the push was killed (halves of a split count, their
 * parent does not): the rerun must settle each by counting it at the destination.
 */
async function uncertainParts(journal) {
  const planned = new Map()
  const settled = new Set()
  for (const l of await journalLines(journal)) {
    if (l.kind === 'part') {
      planned.set(l.tag, l.count)
    } else {
      settled.add(l.tag)
    }
  }
  const parts = [...planned].filter(([tag]) => !settled.has(tag))
  return { parts: parts.length, records: parts.reduce((n, [, count]) => n + count, 0) }
}

/** Every part tag the journal ever planned. */
async function journalParts(journal) {
  return (await journalLines(journal)).filter((l) => l.kind === 'part').map((l) => l.tag)
}

/**
 * Runs the built CLI. With `killWhen`, polls the journal and SIGKILLs the CLI once it holds; the
 * run must then end by that signal.
 */
async function runCli(args, env, killWhen) {
  const started = process.hrtime.bigint()
  const child = spawn(process.execPath, ['--import', hook, cli, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env }
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c) => (stdout += c))
  child.stderr.on('data', (c) => (stderr += c))
  const exited = once(child, 'exit')
  let killed
  if (killWhen) {
    let done = false
    exited.then(() => (done = true))
    while (!done) {
      await new Promise((r) => setTimeout(r, 50))
      if (!done && (await killWhen())) {
        const usage = procUsage(child.pid)
        child.kill('SIGKILL')
        killed = usage ?? { cpuSeconds: NaN, maxRssKb: NaN }
        break
      }
    }
  }
  const [code, signal] = await exited
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  if (killWhen) {
    if (signal !== 'SIGKILL') {
      console.log(stderr.slice(-2000))
      throw new Error(
        `[bench] cax ${args.slice(0, 2).join(' ')} ended (${code}) before it was killed`
      )
    }
    return { seconds, cpuSeconds: killed.cpuSeconds, maxRssKb: killed.maxRssKb }
  }
  if (code !== 0) {
    console.log(stderr.slice(-2000))
    throw new Error(`[bench] cax ${args.slice(0, 2).join(' ')} exited ${code ?? signal}`)
  }
  const usage = JSON.parse(/BENCH_USAGE=(\{.*\})/.exec(stderr)?.[1] ?? '{}')
  return {
    seconds,
    cpuSeconds: usage.cpuUs / 1e6,
    maxRssKb: usage.maxRssKb,
    stdout,
    summary: lastJsonLine(stdout)
  }
}

/** The summary without the journal's path (a temporary folder of the run: noise in results). */
function withoutJournalPath(summary) {
  const { journal: _journal, ...rest } = summary
  return rest
}

function lastJsonLine(text) {
  try {
    return JSON.parse(text.trimEnd().split('\n').pop() || '{}')
  } catch {
    return {}
  }
}

const work = await mkdtemp(join(tmpdir(), 'cax-bench-push-'))
let fakes
try {
  await build({
    configFile: false,
    logLevel: 'warn',
    root: here,
    ssr: { noExternal: true },
    build: {
      ssr: join(here, 'push-entry.ts'),
      outDir: join(work, 'entry'),
      emptyOutDir: true,
      rollupOptions: { output: { entryFileNames: 'entry.mjs' } }
    }
  })
  const entry = await import(pathToFileURL(join(work, 'entry/entry.mjs')).href)

  const file = join(work, 'records.ndjson')
  await writeGovernanceNdjson(file, N)
  const store = join(work, 'store')
  const imported = await runCli(['import', file, '--store', store, '--json'], {})
  console.log(
    `[bench] store of ${N.toLocaleString()} records built in ${imported.seconds.toFixed(1)} s`
  )
  await rm(file)

  const floor = await entry.floorSeconds(store, 3_500_000)
  if (floor.records !== N) {
    throw new Error(`[bench] the store holds ${floor.records} records, not ${N}`)
  }

  fakes = await entry.startFakes(UNTIL)
  const caFile = join(work, 'ca.pem')
  writeFileSync(caFile, fakes.caPem)
  const env = { CAX_BENCH_PUSH_SECRET: entry.SECRET }
  const auth = [
    '--tenant',
    fakes.tenantId,
    '--client-id',
    entry.APP_ID,
    '--client-secret-env',
    'CAX_BENCH_PUSH_SECRET',
    '--authority-host',
    fakes.authorityHost,
    '--ca-file',
    caFile,
    '--json'
  ]

  /** Kill part-way, rerun, check the table; returns the destination's figures. */
  async function killAndRerun(name, args, journal, landed, floorSecondsOf) {
    const loadBefore = load()
    const first = await runCli(
      args,
      env,
      async () => (await sentRecords(journal)).sent >= N * KILL_AT
    )
    const atKill = await sentRecords(journal)
    const uncertain = await uncertainParts(journal)
    const afterKill = await landed()
    if (afterKill.distinct >= N) {
      throw new Error(`[bench] ${name}: everything had landed before the kill`)
    }
    const second = await runCli(args, env)
    const end = await landed()
    if (end.rows !== N || end.distinct !== N) {
      throw new Error(
        `[bench] ${name}: the table holds ${end.rows} rows, ${end.distinct} distinct Ids, not exactly ${N}`
      )
    }
    // Log Analytics accounts for every uncertain part: found there (not sent) or sent again.
    const settled = second.summary.parts
    if (typeof settled === 'object' && settled.resent + settled.foundPresent !== uncertain.parts) {
      throw new Error(
        `[bench] ${name}: ${uncertain.parts} part(s) were uncertain at the kill, the rerun settled ${settled.resent + settled.foundPresent}`
      )
    }
    const seconds = first.seconds + second.seconds
    const figures = {
      killedAfterSeconds: Number(first.seconds.toFixed(1)),
      killedAfterParts: atKill.parts,
      killedAfterRecords: atKill.sent,
      landedAtKill: afterKill,
      // The part(s) in flight at the kill: planned, not acknowledged; rows of them that had
      // landed anyway are the landed rows beyond the acknowledged records.
      uncertainAtKill: { ...uncertain, rowsLanded: afterKill.rows - atKill.sent },
      rerunSeconds: Number(second.seconds.toFixed(1)),
      rerunSummary: withoutJournalPath(second.summary),
      totalSeconds: Number(seconds.toFixed(1)),
      recordsPerSecond: Math.round(N / seconds),
      cpuSeconds: Number((first.cpuSeconds + second.cpuSeconds).toFixed(1)),
      peakRssMB: Number((Math.max(first.maxRssKb, second.maxRssKb) / 1024).toFixed(1)),
      landed: end,
      floorSeconds: Number(floorSecondsOf.toFixed(1)),
      floorRecordsPerSecond: Math.round(N / floorSecondsOf),
      loadBefore,
      loadAfter: load()
    }
    console.log(
      `[bench] push ${name}: ${N.toLocaleString()} records, killed after ${figures.killedAfterSeconds} s (${atKill.parts} parts, ${atKill.sent.toLocaleString()} records sent), rerun ${figures.rerunSeconds} s → exactly ${end.distinct.toLocaleString()} distinct Ids, ${end.rows.toLocaleString()} rows; ${figures.recordsPerSecond.toLocaleString()} records/s over both runs, CPU ${figures.cpuSeconds} s, peak RSS ${figures.peakRssMB} MB; floor (read store + serialize + gzip) ${figures.floorSeconds} s = ${figures.floorRecordsPerSecond.toLocaleString()} records/s; load ${loadBefore.join(' ')} → ${figures.loadAfter.join(' ')}`
    )
    return figures
  }

  const adxJournal = join(work, 'adx.journal.ndjson')
  const adx = await killAndRerun(
    'adx',
    [
      'push',
      'adx',
      '--store',
      store,
      '--cluster',
      fakes.cluster,
      '--database',
      entry.DATABASE,
      '--table',
      'CaxBench',
      '--journal',
      adxJournal,
      ...auth
    ],
    adxJournal,
    async () => fakes.kustoLanded('CaxBench'),
    floor.adxSeconds
  )

  const printed = await runCli(
    ['push', 'loganalytics', '--print-definitions', '--table', 'CaxBench_CL'],
    {}
  )
  const target = fakes.deployLogAnalytics(JSON.parse(printed.stdout))
  const laJournal = join(work, 'la.journal.ndjson')
  const la = await killAndRerun(
    'loganalytics',
    [
      'push',
      'loganalytics',
      '--store',
      store,
      '--endpoint',
      target.endpoint,
      '--rule-id',
      target.ruleId,
      '--table',
      'CaxBench_CL',
      '--workspace-id',
      fakes.workspaceId,
      '--workspace-api-base',
      fakes.logAnalyticsBase,
      '--ingestion-latency',
      '0',
      '--journal',
      laJournal,
      ...auth
    ],
    laJournal,
    async () => fakes.logAnalyticsLanded('CaxBench_CL', await journalParts(laJournal)),
    floor.logAnalyticsSeconds
  )

  const result = {
    bench: 'push',
    at: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? '',
      memoryBytes: totalmem(),
      node: process.version
    },
    records: N,
    killAtShare: KILL_AT,
    adx,
    loganalytics: la
  }
  mkdirSync(join(here, 'results'), { recursive: true })
  writeFileSync(join(here, 'results/push.json'), `${JSON.stringify(result, null, 2)}\n`)
} finally {
  await fakes?.close()
  await rm(work, { recursive: true, force: true })
}
