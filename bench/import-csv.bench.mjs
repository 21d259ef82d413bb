// Import benchmark (issue 5 item 9): generates a one-million-row Purview portal CSV (current
// layout, reference/audit-events.md §12.1) into a temp file, imports it with the BUILT CLI
// (`node out/main/cli.js import <file> --store <tmp> --json`) and reports rows per second and the
// child's peak memory (maxRSS). Writes bench/results/import-csv.json.
//
// BENCH_ROWS overrides the row count (e.g. BENCH_ROWS=100000 for a quick run).
import { execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createWriteStream, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..')
const cli = join(root, 'out/main/cli.js')
const rows = Number(process.env.BENCH_ROWS ?? 1_000_000)
const DUPLICATE_EVERY = 200 // 0.5 % of rows repeat an earlier record, as the portal sometimes does

if (!existsSync(cli)) {
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

const ops = [
  ['PutConnection', 187, 'PowerApps'],
  ['DeleteConnection', 187, 'PowerApps'],
  ['PutConnectionPermission', 187, 'PowerApps'],
  ['PatchApi', 187, 'PowerApps'],
  ['LaunchPowerApp', 256, 'PowerPlatform'],
  ['GovernanceApiPolicyOperation', 256, 'PowerPlatform']
]

function guid(n) {
  const h = n.toString(16).padStart(12, '0')
  return `5f${h.slice(0, 6)}-aaaa-4bbb-8ccc-${h}`
}

function csvQuote(text) {
  return `"${text.replace(/"/g, '""')}"`
}

function row(i) {
  const [op, type, workload] = ops[i % ops.length]
  const ms = Date.UTC(2026, 4, 1) + i * 1000
  const iso = new Date(ms).toISOString().slice(0, 19)
  const d = new Date(ms)
  const h12 = d.getUTCHours() % 12 === 0 ? 12 : d.getUTCHours() % 12
  const display = `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${h12}:${String(d.getUTCMinutes()).padStart(2, '0')}:${String(d.getUTCSeconds()).padStart(2, '0')} ${d.getUTCHours() < 12 ? 'AM' : 'PM'}`
  const id = guid(i)
  const user = `user${i % 5000}@contoso.example`
  const audit = JSON.stringify({
    CreationTime: iso,
    Id: id,
    Operation: op,
    OrganizationId: 'c0ffee00-0000-4000-8000-000000000001',
    RecordType: type,
    ResultStatus: 'Succeeded',
    UserKey: `1003200${i % 5000}`,
    UserType: 0,
    Version: 1,
    Workload: workload,
    ClientIP: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    UserId: user,
    EnvironmentName: `Default-c0ffee00-0000-4000-8000-00000000000${i % 4}`,
    ResourceId: `/providers/Microsoft.PowerApps/apis/shared_sql/connections/${guid(i % 100000)}`,
    AdditionalInfo: JSON.stringify({ connectorId: 'shared_sql', environment: 'prod' })
  })
  return `${id},${display},${type},${op},${user},${csvQuote(audit)},,\r\n`
}

const work = await mkdtemp(join(tmpdir(), 'cax-bench-'))
try {
  const file = join(work, 'purview-1m.csv')
  const out = createWriteStream(file)
  out.write(
    'RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits,AssociatedAdminUnitsNames\r\n'
  )
  let buffer = ''
  const t0 = Date.now()
  for (let i = 0; i < rows; i++) {
    const n = i > 0 && i % DUPLICATE_EVERY === 0 ? i - 1 : i
    buffer += row(n)
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) {
        await once(out, 'drain')
      }
      buffer = ''
    }
  }
  out.end(buffer)
  await once(out, 'close')
  const bytes = statSync(file).size
  console.log(
    `[bench] generated ${rows} rows, ${(bytes / 1e6).toFixed(1)} MB in ${((Date.now() - t0) / 1000).toFixed(1)} s`
  )

  // The child reports its own peak memory on exit (maxRSS, KiB) through a preloaded hook.
  const hook =
    'data:text/javascript,process.on("exit",()=>process.stderr.write("BENCH_MAXRSS_KB="+process.resourceUsage().maxRSS+"\\n"))'
  const store = join(work, 'store')
  const started = process.hrtime.bigint()
  const child = spawn(
    process.execPath,
    ['--import', hook, cli, 'import', file, '--store', store, '--json'],
    {
      stdio: ['ignore', 'pipe', 'pipe']
    }
  )
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c) => (stdout += c))
  child.stderr.on('data', (c) => (stderr += c))
  const [code] = await once(child, 'exit')
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  const summary = JSON.parse(stdout.trimEnd().split('\n').pop() ?? '{}')
  const maxRssKb = Number(/BENCH_MAXRSS_KB=(\d+)/.exec(stderr)?.[1] ?? NaN)
  if (code !== 0) {
    console.log(stderr.slice(-2000))
    throw new Error(`[bench] cax import exited ${code}`)
  }
  const result = {
    bench: 'import-csv',
    at: new Date().toISOString(),
    node: process.version,
    rows,
    fileBytes: bytes,
    seconds: Number(seconds.toFixed(2)),
    rowsPerSecond: Math.round(rows / seconds),
    megabytesPerSecond: Number((bytes / 1e6 / seconds).toFixed(1)),
    peakRssMB: Number((maxRssKb / 1024).toFixed(1)),
    summary: {
      records: summary.records,
      new: summary.new,
      duplicates: summary.duplicates,
      rejected: summary.rejected
    }
  }
  mkdirSync(join(here, 'results'), { recursive: true })
  writeFileSync(join(here, 'results/import-csv.json'), `${JSON.stringify(result, null, 2)}\n`)
  console.log(
    `[bench] import-csv: ${rows} rows in ${result.seconds} s = ${result.rowsPerSecond} rows/s (${result.megabytesPerSecond} MB/s), peak RSS ${result.peakRssMB} MB; new ${summary.new}, duplicates ${summary.duplicates}, rejected ${summary.rejected}`
  )
} finally {
  await rm(work, { recursive: true, force: true })
}
