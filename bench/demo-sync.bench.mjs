// Demo sync benchmark: a newcomer's first minute, measured through the UI. The browser shell runs
// with no Secret Service (as on a headless machine); Debian's Chromium clicks "Explore the demo
// tenant" and the bench times first rows in the grid and the end of the 7-day sync (the real sync
// engine, batch hand-over and IndexedDB commits). For a reference floor it then starts the same
// emulator scenario standalone and reads the same 7 days with a plain fetch loop (list every
// window, download every blob four at a time, parse the JSON): what the content costs to move
// and parse without the app. Writes bench/results/demo-sync.json.
//
//   node bench/demo-sync.bench.mjs            (or npm run bench for every benchmark)
//   CAX_BENCH_RUNS=3 node bench/demo-sync.bench.mjs   (several UI runs; the median is reported)
//   CAX_BENCH_CPU_PROFILE=/tmp/prof node bench/…      (CPU profiles of server and page, for digging)
import { execSync, spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { request } from 'node:https'
import { cpus, tmpdir, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

import { launchChromium } from './browser-shell.mjs'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const RUNS = Math.max(1, Number(process.env['CAX_BENCH_RUNS'] ?? 1))
const PROFILE_DIR = process.env['CAX_BENCH_CPU_PROFILE']
const TARGETS = { firstRowsMs: 2000, syncDoneMs: 10_000 }
const HOUR = 3_600_000
const DAY = 24 * HOUR
const NO_SECRET_SERVICE = {
  DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/cax-no-secret-service',
  DISPLAY: ''
}

function newestMtime(dir) {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs)
  }
  return newest
}

function buildIfStale() {
  const outputs = ['out/renderer/index.html', 'out/main/web.js', 'out/main/emulator.js']
  const builtAt = Math.min(
    ...outputs.map((p) => (existsSync(join(ROOT, p)) ? statSync(join(ROOT, p)).mtimeMs : 0))
  )
  if (builtAt < newestMtime(join(ROOT, 'src'))) {
    console.log('[bench] building the app (electron-vite build)…')
    execSync('npx electron-vite build --logLevel warn', { cwd: ROOT, stdio: 'inherit' })
  }
}

/** Starts a child and resolves with its stdout once `match` finds what it waits for. */
function startChild(args, env, match) {
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env }
  })
  const log = []
  createInterface({ input: child.stderr }).on('line', (line) => log.push(line))
  const lines = createInterface({ input: child.stdout })
  return new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`no start-up line in 30 s: ${out}`)), 30_000)
    child.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code}: ${out}`)))
    lines.on('line', (line) => {
      out += `${line}\n`
      const found = match(out)
      if (found) {
        clearTimeout(timer)
        resolve({ child, log, ...found })
      }
    })
  })
}

/** One UI run: a fresh data folder and browser profile, the demo from the empty state. */
async function uiRun() {
  const dataDir = await mkdtemp(join(tmpdir(), 'cax-bench-demo-'))
  const profileDir = await mkdtemp(join(tmpdir(), 'cax-bench-demo-profile-'))
  // A persistent profile keeps IndexedDB on disk, as the app has it.
  const context = await launchChromium(profileDir)
  // After the browser is up: the shell's start-up link works once, for one minute.
  const shell = await startChild(
    [
      // CAX_BENCH_CPU_PROFILE=<dir>: CPU profiles of the server (Node) and the page (CDP).
      ...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []),
      join(ROOT, 'out/main/web.js'),
      '--port',
      '0',
      '--no-open',
      '--data-dir',
      dataDir
    ],
    NO_SECRET_SERVICE,
    (out) => {
      const url = /^Open: (\S+)$/m.exec(out)?.[1]
      return url ? { url } : null
    }
  )
  try {
    const page = context.pages()[0] ?? (await context.newPage())
    await page.goto(shell.url)
    await page.getByRole('button', { name: 'Explore the demo tenant' }).waitFor()
    // Timed in the page, so Playwright's polling adds nothing: first rows is the first frame
    // with a filled row 0, sync done the status bar's outcome.
    const timing = page.evaluate(
      () =>
        new Promise((resolve) => {
          const t0 = performance.now()
          let firstRowsMs = null
          const check = () => {
            const cell = document.querySelector('[role="row"][row-index="0"] [col-id="userId"]')
            if (firstRowsMs === null && (cell?.textContent ?? '') !== '') {
              firstRowsMs = performance.now() - t0
            }
            const status = document.querySelector('[data-testid="sync-status"][data-outcome]')
            if (status) {
              resolve({
                firstRowsMs,
                syncDoneMs: performance.now() - t0,
                outcome: status.getAttribute('data-outcome'),
                statusText: status.textContent
              })
              return
            }
            requestAnimationFrame(check)
          }
          const button = [...document.querySelectorAll('button')].find(
            (b) => b.textContent === 'Explore the demo tenant'
          )
          button.click()
          requestAnimationFrame(check)
        })
    )
    let cdp
    if (PROFILE_DIR) {
      cdp = await context.newCDPSession(page)
      await cdp.send('Profiler.enable')
      await cdp.send('Profiler.start')
    }
    const result = await timing
    if (cdp) {
      const { profile } = await cdp.send('Profiler.stop')
      await writeFile(join(PROFILE_DIR, 'renderer.cpuprofile'), JSON.stringify(profile))
    }
    // Every stored record reaches the grid: wait for the Explorer's count to catch up.
    const stored = Number(/([\d,]+) new/.exec(result.statusText)?.[1]?.replace(/,/g, '') ?? NaN)
    const caughtUp = Date.now()
    await page.waitForFunction(
      () => {
        // Until the whole cache is in, the status reads "≥ N records so far · loading …".
        const text = document.querySelector('[data-testid="explorer-status"]')?.textContent ?? ''
        return / of [\d,]+ records/.test(text) && !text.includes('loading') && !text.includes('≥')
      },
      null,
      { timeout: 120_000, polling: 100 }
    )
    result.gridCaughtUpAfterSyncMs = Date.now() - caughtUp
    result.explorerStatus = await page.getByTestId('explorer-status').innerText()
    result.stored = stored
    result.logTail = shell.log.filter((l) => l.includes('[acquire]')).slice(-5)
    return result
  } finally {
    await context.close()
    shell.child.kill('SIGTERM')
    await rm(dataDir, { recursive: true, force: true })
    await rm(profileDir, { recursive: true, force: true })
  }
}

function call(url, { method = 'GET', form, ca, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const body = form ? new URLSearchParams(form).toString() : undefined
    const req = request(
      url,
      {
        method,
        ca,
        headers: {
          ...headers,
          ...(body ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {})
        }
      },
      (res) => {
        const chunks = []
        res.on('data', (c) => chunks.push(c))
        res.on('end', () =>
          resolve({
            status: res.statusCode,
            headers: res.headers,
            text: Buffer.concat(chunks).toString()
          })
        )
      }
    )
    req.on('error', reject)
    req.end(body)
  })
}

/** The same content read by a plain fetch loop from a standalone emulator: the floor. */
async function floorRun() {
  const work = await mkdtemp(join(tmpdir(), 'cax-bench-demo-floor-'))
  const caFile = join(work, 'ca.pem')
  const emu = await startChild(
    [
      join(ROOT, 'out/main/emulator.js'),
      '--port',
      '0',
      '--scenario',
      'demo',
      '--test-hooks',
      '--ca-file',
      caFile
    ],
    {},
    (out) => {
      const base = /Emulator: (\S+)/.exec(out)?.[1]
      const t = /Tenant: (\S+)\s+Client: (\S+)\s+Admin: (\S+)/.exec(out)
      return base && t ? { base, tenantId: t[1], clientId: t[2], admin: t[3] } : null
    }
  )
  try {
    const ca = readFileSync(caFile, 'utf8')
    const clouds = readFileSync(join(ROOT, 'src/shared/clouds.ts'), 'utf8')
    const resource = /managementResource:\s*'([^']+)'/.exec(clouds)?.[1]
    const oauth = `${emu.base}/${emu.tenantId}/oauth2/v2.0`
    const scope = `${resource}/ActivityFeed.Read`
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
    const token = JSON.parse(
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
    ).access_token
    const headers = { Authorization: `Bearer ${token}` }
    const feed = `${emu.base}/manage/api/v1.0/${emu.tenantId}/activity/feed`
    const iso = (ms) => new Date(ms).toISOString().slice(0, 19)
    const started = performance.now()
    const now = Date.now()
    // The windows a sync lists: 24-hour windows over the 7-day reach (15-minute margin).
    const blobs = []
    let requests = 0
    for (let start = now - 7 * DAY + 15 * 60_000; start < now; start += DAY) {
      const end = Math.min(now, start + DAY)
      let page = `${feed}/subscriptions/content?contentType=Audit.General&startTime=${iso(start)}&endTime=${iso(end)}&PublisherIdentifier=${emu.tenantId}`
      while (page) {
        const res = await call(page, { ca, headers })
        requests++
        blobs.push(...JSON.parse(res.text))
        page = res.headers['nextpageuri'] ?? null
      }
    }
    const listedMs = performance.now() - started
    let next = 0
    let records = 0
    let bytes = 0
    const worker = async () => {
      for (let blob = blobs[next++]; blob; blob = blobs[next++]) {
        const res = await call(`${blob.contentUri}?PublisherIdentifier=${emu.tenantId}`, {
          ca,
          headers
        })
        requests++
        bytes += res.text.length
        records += JSON.parse(res.text).length
      }
    }
    await Promise.all([worker(), worker(), worker(), worker()])
    return {
      ms: performance.now() - started,
      listMs: listedMs,
      blobs: blobs.length,
      records,
      requests,
      megabytes: Math.round(bytes / 1e5) / 10
    }
  } finally {
    emu.child.kill('SIGTERM')
    await rm(work, { recursive: true, force: true })
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor((sorted.length - 1) / 2)]
}

async function main() {
  buildIfStale()
  const runs = []
  for (let i = 0; i < RUNS; i++) {
    const run = await uiRun()
    console.log(
      `[bench] run ${i + 1}: first rows ${Math.round(run.firstRowsMs)} ms, sync done ${Math.round(run.syncDoneMs)} ms (${run.statusText})`
    )
    runs.push(run)
  }
  const floor = await floorRun()
  const results = {
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? '',
      memoryBytes: totalmem(),
      node: process.version
    },
    targets: TARGETS,
    runs,
    firstRowsMs: median(runs.map((r) => r.firstRowsMs ?? Infinity)),
    syncDoneMs: median(runs.map((r) => r.syncDoneMs)),
    floor
  }
  await mkdir(join(ROOT, 'bench', 'results'), { recursive: true })
  await writeFile(
    join(ROOT, 'bench', 'results', 'demo-sync.json'),
    `${JSON.stringify(results, null, 2)}\n`
  )
  const verdict = (ok) => (ok ? 'ok' : 'MISSED')
  const last = runs[runs.length - 1]
  const rows = [
    ['Records stored (last run)', last.stored.toLocaleString(), '', ''],
    [
      'First rows after the click',
      `${Math.round(results.firstRowsMs)} ms`,
      '<= 2000 ms',
      verdict(results.firstRowsMs <= TARGETS.firstRowsMs)
    ],
    [
      'Sync done after the click',
      `${Math.round(results.syncDoneMs)} ms`,
      '<= 10000 ms',
      verdict(results.syncDoneMs <= TARGETS.syncDoneMs)
    ],
    ['Grid caught up after sync done', `${last.gridCaughtUpAfterSyncMs} ms`, '', ''],
    [
      'Floor: plain fetch loop, same content',
      `${Math.round(floor.ms)} ms (${floor.records.toLocaleString()} records, ${floor.blobs} blobs, ${floor.requests} requests, ${floor.megabytes} MB)`,
      '',
      ''
    ]
  ]
  console.log(`\nDemo sync benchmark (${cpus().length} cores, ${RUNS} run(s))`)
  for (const [name, value, target, ok] of rows) {
    console.log(`${name.padEnd(38)} ${value.padEnd(60)} ${target.padEnd(12)} ${ok}`)
  }
}

await main()
