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
import { createWriteStream, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { cpus, tmpdir, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..')
const cli = join(root, 'out/main/cli.js')
const rows = Number(process.env.BENCH_ROWS ?? 1_000_000)
const TENANT = 'c0ffee00-0000-4000-8000-000000000001'
const START = Date.UTC(2026, 4, 1)
const SPAN = 30 * 24 * 3_600_000

if (!existsSync(cli)) {
  console.log('[bench] out/main/cli.js missing: building (electron-vite build)…')
  execFileSync(
    process.execPath,
    [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'],
    { cwd: root, stdio: 'inherit' }
  )
}

function guid(n, prefix = '5f') {
  const h = n.toString(16).padStart(12, '0')
  return `${prefix}${h.slice(0, 6)}-aaaa-4bbb-8ccc-${h}`
}

// A small deterministic generator (xorshift) so every run measures the same data.
let state = 0x2545f491
function rand(n) {
  state ^= state << 13
  state ^= state >>> 17
  state ^= state << 5
  return (state >>> 0) % n
}

const CONNECTOR_OPS = [
  ['PutConnection', 'connection', 30],
  ['PatchConnection', 'connection', 6],
  ['DeleteConnection', 'connection', 5],
  ['PutConnectionPermission', 'connection', 10],
  ['DeleteConnectionPermission', 'connection', 3],
  ['ConnectionDlpEvaluationResultChange', 'connection', 2],
  ['PutApi', 'api', 2],
  ['PatchApi', 'api', 4],
  ['DeleteApi', 'api', 1],
  ['PutApiPermission', 'api', 2],
  ['PatchGatewayCluster', 'gateway', 1],
  ['PutGatewayPermission', 'gateway', 1],
  ['DeleteGatewayPermission', 'gateway', 1]
]
const WEIGHTED = CONNECTOR_OPS.flatMap((op) => Array(op[2]).fill(op))
const OTHER_OPS = ['LaunchPowerApp', 'UserLoggedIn', 'FileAccessed', 'EditFlow']

function resourceOf(kind) {
  if (kind === 'api') {
    return `/providers/Microsoft.PowerApps/apis/shared_custom-${rand(60)}`
  }
  if (kind === 'gateway') {
    return guid(rand(12), '9a')
  }
  return `/providers/Microsoft.PowerApps/apis/shared_sql/connections/${guid(rand(20_000))}`
}

function record(i) {
  const ms = START + Math.floor((i / rows) * SPAN) + rand(1000)
  const actor = rand(400)
  const base = {
    CreationTime: new Date(ms).toISOString().slice(0, 19),
    Id: guid(i, 'e0'),
    OrganizationId: TENANT,
    UserId: `user${actor}@contoso.example`,
    UserKey: guid(actor, 'ab'),
    ClientIP: `10.0.${actor % 50}.${rand(4)}`,
    UserType: 0
  }
  if (i % 3 !== 0) {
    return {
      ...base,
      RecordType: 15,
      Operation: OTHER_OPS[rand(OTHER_OPS.length)],
      Workload: 'AzureActiveDirectory'
    }
  }
  const [op, kind] = WEIGHTED[rand(WEIGHTED.length)]
  const props = [
    ['powerplatform.analytics.resource.connection.id', resourceOf(kind)],
    ['powerplatform.analytics.resource.environment.id', guid(rand(6), 'cc')],
    ['powerplatform.analytics.activity.name', op],
    ['enduser.id', base.UserKey],
    ['enduser.principal_name', base.UserId]
  ]
  if (op.includes('Permission')) {
    props.push(['powerplatform.analytics.resource.permission_type', 'CanView'])
    props.push(['targetuser.id', rand(50) === 0 ? TENANT : guid(rand(400), 'ab')])
  }
  return {
    ...base,
    RecordType: 256,
    Operation: op,
    Workload: 'PowerPlatform',
    PropertyCollection: props.map(([Name, Value]) => ({ Name, Value }))
  }
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
  const out = createWriteStream(file)
  let buffer = ''
  for (let i = 0; i < rows; i++) {
    buffer += `${JSON.stringify(record(i))}\n`
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) {
        await once(out, 'drain')
      }
      buffer = ''
    }
  }
  out.end(buffer)
  await once(out, 'close')
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
