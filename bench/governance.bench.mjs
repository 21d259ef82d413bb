// Governance benchmark: generates one million audit records (NDJSON, a third of them connector
// events over 30 days: 20,000 connections, 60 custom APIs, 12 gateways, 400 actors, sharing,
// deletions and data-policy evaluations), imports them with the BUILT CLI, then times
// `cax report` on that store: the model pass (resources, sharing, findings, summary counts — one
// pass, Maps) and the streamed XLSX with every record. Reports the child's peak memory.
// Writes bench/results/governance.json.
//
// BENCH_ROWS overrides the record count (e.g. BENCH_ROWS=100000 for a quick run).
import { execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { cpus, tmpdir, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { writeGovernanceNdjson } from './governance-records.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..')
const cli = join(root, 'out/main/cli.js')
const rows = Number(process.env.BENCH_ROWS ?? 1_000_000)

if (!existsSync(cli)) {
  console.log('[bench] out/main/cli.js missing: building (electron-vite build)…')
  execFileSync(
    process.execPath,
    [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'],
    { cwd: root, stdio: 'inherit' }
  )
}

const hook =
  'data:text/javascript,process.on("exit",()=>process.stderr.write("BENCH_MAXRSS_KB="+process.resourceUsage().maxRSS+"\\n"))'

async function runCli(args) {
  const started = process.hrtime.bigint()
  const child = spawn(process.execPath, ['--import', hook, cli, ...args], {
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
    throw new Error(`[bench] cax ${args[0]} exited ${code}`)
  }
  return {
    seconds,
    summary: JSON.parse(stdout.trimEnd().split('\n').pop() ?? '{}'),
    maxRssKb: Number(/BENCH_MAXRSS_KB=(\d+)/.exec(stderr)?.[1] ?? NaN)
  }
}

const work = await mkdtemp(join(tmpdir(), 'cax-bench-gov-'))
try {
  const file = join(work, 'records.ndjson')
  await writeGovernanceNdjson(file, rows)
  console.log(`[bench] generated ${rows} records (${(statSync(file).size / 1e6).toFixed(1)} MB)`)
  const store = join(work, 'store')
  const imported = await runCli(['import', file, '--store', store, '--json'])
  console.log(`[bench] imported in ${imported.seconds.toFixed(1)} s`)
  const report = await runCli([
    'report',
    '--store',
    store,
    '--out',
    join(work, 'pack.xlsx'),
    '--html',
    join(work, 'pack.html'),
    '--json'
  ])
  const s = report.summary
  const result = {
    bench: 'governance',
    at: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? '',
      memoryBytes: totalmem(),
      node: process.version
    },
    records: s.records,
    resources: s.resources,
    findings: s.findings,
    modelSeconds: Number((s.timings.modelMs / 1000).toFixed(1)),
    modelRecordsPerSecond: Math.round(s.records / (s.timings.modelMs / 1000)),
    xlsxSeconds: Number((s.timings.xlsxMs / 1000).toFixed(1)),
    htmlSeconds: Number((s.timings.htmlMs / 1000).toFixed(1)),
    totalSeconds: Number(report.seconds.toFixed(1)),
    peakRssMB: Number((report.maxRssKb / 1024).toFixed(1)),
    xlsxBytes: s.files[0]?.bytes,
    htmlBytes: s.files[1]?.bytes
  }
  mkdirSync(join(here, 'results'), { recursive: true })
  writeFileSync(join(here, 'results/governance.json'), `${JSON.stringify(result, null, 2)}\n`)
  console.log(
    `[bench] governance: ${result.records} records → ${result.resources} resources, ${result.findings} findings; model pass ${result.modelSeconds} s (${result.modelRecordsPerSecond} records/s), XLSX ${result.xlsxSeconds} s, HTML ${result.htmlSeconds} s, total ${result.totalSeconds} s, peak RSS ${result.peakRssMB} MB`
  )
} finally {
  await rm(work, { recursive: true, force: true })
}
