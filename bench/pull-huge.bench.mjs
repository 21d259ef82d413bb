// Benchmark: `cax pull --json` of the emulator's `huge` scenario (over a million Audit.General
// events in 7 days) under the default request budget. Reports wall time, the lower bound the
// budget sets, and the pull's peak memory; writes bench/results/pull-huge.json.
// The emulator runs with a frozen clock (`--now`), so the range can end at the emulator's "now"
// (no late blob can appear while the pull runs) and cover the whole 7-day reach: at least one
// million events, compared exactly against the ground truth.
// Needs the built bundles (npm run build:bundle): out/main/emulator.js and out/main/cli.js.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { request } from 'node:https'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..')
const cli = join(root, 'out/main/cli.js')
const emulatorEntry = join(root, 'out/main/emulator.js')
for (const file of [cli, emulatorEntry]) {
  if (!existsSync(file)) {
    throw new Error(`[bench] ${file} is missing: run npm run build:bundle first`)
  }
}
const BUDGET = 2000
const MIN_EVENTS = 1_000_000
// Frozen at start (whole minutes): the pull's own clock moves on, the emulator's does not.
const NOW = new Date(Math.floor(Date.now() / 60_000) * 60_000)
const HOUR = 3_600_000
const DAY = 24 * HOUR

// Hosts come from the cloud table (STYLE.md rule 16): the emulator's tokens carry the real audience.
const clouds = readFileSync(join(root, 'src/shared/clouds.ts'), 'utf8')
const managementResource = /managementResource:\s*'([^']+)'/.exec(clouds)?.[1]
if (!managementResource) {
  throw new Error('[bench] cannot read the management resource from src/shared/clouds.ts')
}

const work = mkdtempSync(join(tmpdir(), 'cax-bench-pull-'))
const caFile = join(work, 'ca.pem')
let emulatorExit = null

function startEmulator() {
  const child = spawn(
    process.execPath,
    [
      emulatorEntry,
      '--port',
      '0',
      '--scenario',
      'huge',
      '--test-hooks',
      '--ca-file',
      caFile,
      '--now',
      NOW.toISOString()
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] }
  )
  return new Promise((resolve, reject) => {
    let out = ''
    child.on('exit', (code, signal) => {
      emulatorExit = { code, signal }
      console.error(`[bench] the emulator exited (code ${code}, signal ${signal})`)
      reject(new Error(`[bench] emulator exited (${code ?? signal}): ${out}`))
    })
    child.stdout.on('data', (d) => {
      out += d.toString()
      const base = /Emulator: (\S+)/.exec(out)?.[1]
      const tenant = /Tenant: (\S+)\s+Client: (\S+)\s+Admin: (\S+)/.exec(out)
      if (base && tenant) {
        resolve({ child, base, tenantId: tenant[1], clientId: tenant[2], admin: tenant[3] })
      }
    })
  })
}

function call(url, { method = 'GET', form, ca } = {}) {
  return new Promise((resolve, reject) => {
    const body = form ? new URLSearchParams(form).toString() : undefined
    const req = request(
      url,
      {
        method,
        ca,
        headers: body ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}
      },
      (res) => {
        const chunks = []
        res.on('data', (c) => chunks.push(c))
        res.on('end', () =>
          resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() })
        )
      }
    )
    req.on('error', reject)
    req.end(body)
  })
}

/** A delegated Management API token by the device-code grant, approved through the test hook. */
async function managementToken(emu, ca) {
  await call(`${emu.base}/_test/token-lifetime?seconds=86400`, { method: 'POST', ca })
  const oauth = `${emu.base}/${emu.tenantId}/oauth2/v2.0`
  const scope = `${managementResource}/ActivityFeed.Read`
  const dc = JSON.parse(
    (
      await call(`${oauth}/devicecode`, {
        method: 'POST',
        ca,
        form: { client_id: emu.clientId, scope }
      })
    ).text
  )
  await call(
    `${emu.base}/_test/device/approve?user_code=${encodeURIComponent(dc.user_code)}&upn=${encodeURIComponent(emu.admin)}`,
    { method: 'POST', ca }
  )
  const tok = JSON.parse(
    (
      await call(`${oauth}/token`, {
        method: 'POST',
        ca,
        form: {
          grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
          client_id: emu.clientId,
          device_code: dc.device_code,
          scope
        }
      })
    ).text
  )
  if (!tok.access_token) {
    throw new Error('[bench] the emulator gave no token')
  }
  return tok.access_token
}

function runPull(emu, token, since, until, store) {
  const args = [
    '-v',
    process.execPath,
    cli,
    'pull',
    '--store',
    store,
    '--tenant',
    emu.tenantId,
    '--access-token-env',
    'CAX_BENCH_TOKEN',
    '--api-base',
    `${emu.base}/manage`,
    '--ca-file',
    caFile,
    '--since',
    since.toISOString(),
    '--until',
    until.toISOString(),
    '--json'
  ]
  const started = Date.now()
  const child = spawn('/usr/bin/time', args, {
    env: { ...process.env, CAX_BENCH_TOKEN: token },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  return new Promise((resolve) => {
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d.toString()))
    child.stderr.on('data', (d) => {
      err += d.toString()
      if (err.length > 200_000) {
        err = err.slice(-100_000)
      }
    })
    child.on('exit', (code) => resolve({ code, out, err, wallMs: Date.now() - started }))
  })
}

/** User + system CPU seconds of a process so far (Linux /proc; NaN elsewhere). */
function cpuSecondsOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return NaN
  }
}

const emu = await startEmulator()
console.log(`[bench] emulator up at ${emu.base}`)
try {
  const ca = readFileSync(caFile, 'utf8')
  const token = await managementToken(emu, ca)
  console.log('[bench] signed in; pulling…')
  const now = NOW.getTime()
  // The whole 7-day reach (minus a 20-minute margin) up to the frozen "now": the emulator clock
  // does not move, so no late blob can change the ground truth while the pull runs.
  const since = new Date(now - 7 * DAY + 20 * 60_000)
  const until = new Date(now)
  const store = join(work, 'store')
  const loadBefore = loadavg()[0]
  const emulatorCpuBefore = cpuSecondsOf(emu.child.pid)
  const pull = await runPull(emu, token, since, until, store)
  const emulatorCpuSeconds = cpuSecondsOf(emu.child.pid) - emulatorCpuBefore
  const loadAfter = loadavg()[0]
  const pullCpuSeconds =
    Number(/User time \(seconds\): ([\d.]+)/.exec(pull.err)?.[1] ?? NaN) +
    Number(/System time \(seconds\): ([\d.]+)/.exec(pull.err)?.[1] ?? NaN)
  const summary = JSON.parse(pull.out.trim().split('\n').pop() ?? '{}')
  const maxRssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(pull.err)?.[1] ?? NaN)
  const truth = JSON.parse(
    (
      await call(
        `${emu.base}/_test/ground-truth?start=${since.toISOString()}&end=${until.toISOString()}&contentType=Audit.General`,
        { ca }
      )
    ).text
  )
  const requests = summary.requests ?? NaN
  const result = {
    scenario: 'huge',
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? '?',
      memoryGb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      // Other work on the machine slows a run down: the 1-minute load average around the pull.
      loadAverage1m: { before: Number(loadBefore.toFixed(2)), after: Number(loadAfter.toFixed(2)) }
    },
    range: { since: since.toISOString(), until: until.toISOString(), frozenClock: true },
    exitCode: pull.code,
    wallSeconds: Math.round(pull.wallMs / 100) / 10,
    records: summary.records,
    stored: summary.stored,
    groundTruth: truth.count,
    isExact: summary.stored === truth.count,
    isAtLeastAMillion: truth.count >= MIN_EVENTS && summary.stored >= MIN_EVENTS,
    duplicates: summary.duplicates,
    requests,
    budgetPerMinute: BUDGET,
    // Requests at the budget's steady rate; the first minute's burst makes the real floor lower.
    budgetLowerBoundSeconds: Math.round((requests / BUDGET) * 600) / 10,
    budgetLowerBoundWithBurstSeconds:
      Math.round((Math.max(0, requests - BUDGET) / BUDGET) * 600) / 10,
    ratioToBound: Math.round((pull.wallMs / 1000 / ((requests / BUDGET) * 60)) * 100) / 100,
    recordsPerSecond: Math.round(summary.records / (pull.wallMs / 1000)),
    // CPU time (user + system) of the pull and of the emulator serving it, on the same 2 cores:
    // unlike wall time, these do not grow when other work shares the machine.
    pullCpuSeconds: Math.round(pullCpuSeconds * 10) / 10,
    emulatorCpuSeconds: Math.round(emulatorCpuSeconds * 10) / 10,
    peakRssMb: Math.round(maxRssKb / 1024),
    throttled: summary.throttled,
    gaps: summary.gaps,
    emulatorExit
  }
  mkdirSync(join(here, 'results'), { recursive: true })
  writeFileSync(join(here, 'results', 'pull-huge.json'), `${JSON.stringify(result, null, 2)}\n`)
  console.log('[bench] pull-huge', result)
  if (!result.isAtLeastAMillion) {
    console.log(`[bench] fewer than ${MIN_EVENTS} events in the range: the bench does not count`)
    process.exitCode = 1
  }
  if (pull.code !== 0) {
    console.log(`[bench] pull exited ${pull.code}; stderr tail:\n${pull.err.slice(-3000)}`)
  }
} finally {
  emu.child.kill('SIGTERM')
  rmSync(work, { recursive: true, force: true })
}
