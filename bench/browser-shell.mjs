// Helpers of the benchmarks that drive the browser shell in Chromium (explorer, app import).
import { execSync, spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

import { chromium } from '@playwright/test'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')

function newestMtime(dir) {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs)
  }
  return newest
}

/**
 * Builds the app when `out/` is missing or older than `src/`. CAX_BENCH_NO_BUILD=1 uses `out/` as
 * it is (comparing two builds copied in turn, whose files are older than the sources).
 */
export function buildIfStale() {
  if (process.env['CAX_BENCH_NO_BUILD'] === '1') {
    return
  }
  const built = join(ROOT, 'out', 'renderer', 'index.html')
  const web = join(ROOT, 'out', 'main', 'web.js')
  if (
    !existsSync(built) ||
    !existsSync(web) ||
    statSync(built).mtimeMs < newestMtime(join(ROOT, 'src'))
  ) {
    console.log('[bench] building the app (electron-vite build)…')
    execSync('npx electron-vite build', { cwd: ROOT, stdio: 'inherit' })
  }
}

export async function startShell(dataDir) {
  const child = spawn(
    process.execPath,
    [
      // CAX_BENCH_SHELL_PROFILE=<dir>: V8 CPU profiles of the shell's threads (main and workers).
      ...(process.env['CAX_BENCH_SHELL_PROFILE']
        ? ['--cpu-prof', '--cpu-prof-dir', process.env['CAX_BENCH_SHELL_PROFILE']]
        : []),
      join(ROOT, 'out/main/web.js'),
      '--port',
      '0',
      '--no-open',
      '--data-dir',
      dataDir
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] }
  )
  const lines = createInterface({ input: child.stdout })
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no Open: line in 20 s')), 20_000)
    child.once('exit', (code) => reject(new Error(`browser shell exited with ${code}`)))
    lines.on('line', (line) => {
      if (line.startsWith('Open: ')) {
        clearTimeout(timer)
        resolve(line.slice('Open: '.length).trim())
      }
    })
  })
  return { child, url }
}

/** The functions of a CPU profile with the most self time. */
export function topSelfTime(profile, count = 25) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const self = new Map()
  const dt = profile.timeDeltas ?? []
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)
    const frame = node.callFrame
    const key = `${frame.functionName || '(anonymous)'} ${frame.url.split('/').pop()}:${frame.lineNumber}:${frame.columnNumber}`
    self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0))
  })
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([key, us]) => `  ${(us / 1000).toFixed(0).padStart(7)} ms  ${key}`)
    .join('\n')
}

/**
 * With CAX_BENCH_PROFILE=1, a CPU profile of the page from now on; `stop(title)` prints its
 * functions with the most self time. Without it, a profiler that does nothing.
 */
export async function pageProfiler(page) {
  if (!process.env['CAX_BENCH_PROFILE']) {
    return { stop: async () => undefined }
  }
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Profiler.enable')
  await cdp.send('Profiler.start')
  return {
    stop: async (title) => {
      const { profile } = await cdp.send('Profiler.stop')
      if (process.env['CAX_BENCH_PROFILE_OUT']) {
        writeFileSync(process.env['CAX_BENCH_PROFILE_OUT'], JSON.stringify(profile))
      }
      console.log(`[bench] ${title}, by self time:\n${topSelfTime(profile)}`)
    }
  }
}

/** CPU seconds (user + system) used so far by the shell and by each kind of Chromium process. */
export function cpuSeconds(shellPid, profileDir) {
  const ticks = (pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      return (Number(fields[11]) + Number(fields[12])) / 100
    } catch {
      return 0
    }
  }
  const out = { shell: ticks(shellPid), renderer: 0, browser: 0, other: 0 }
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      if (!cmdline.includes(profileDir)) {
        continue
      }
      const type = /--type=([a-z-]+)/.exec(cmdline)?.[1]
      const key = type === undefined ? 'browser' : type === 'renderer' ? 'renderer' : 'other'
      out[key] += ticks(pid)
    } catch {
      // The process ended while we looked.
    }
  }
  return out
}

export function cpuSince(before, after) {
  const out = {}
  for (const key of Object.keys(after)) {
    out[key] = Math.round((after[key] - (before[key] ?? 0)) * 100) / 100
  }
  out.total = Math.round(Object.values(out).reduce((a, b) => a + b, 0) * 100) / 100
  return out
}

/**
 * Profiles every worker the page starts from now on (the query worker is its own V8 isolate):
 * each is paused at its start, its profiler started, then let go. `stop()` returns their profiles;
 * `start()` profiles them again.
 */
export async function profileWorkers(cdp) {
  let nextId = 1
  const waiting = new Map()
  const sessions = []
  cdp.on('Target.receivedMessageFromTarget', (event) => {
    const message = JSON.parse(event.message)
    waiting.get(`${event.sessionId}:${message.id}`)?.(message.result)
  })
  const call = (sessionId, method, params = {}) =>
    new Promise((resolve) => {
      const id = nextId++
      waiting.set(`${sessionId}:${id}`, resolve)
      cdp
        .send('Target.sendMessageToTarget', {
          sessionId,
          message: JSON.stringify({ id, method, params })
        })
        // A worker that ended (a reload ends the page's workers) answers nothing.
        .catch(() => resolve(null))
    })
  cdp.on('Target.detachedFromTarget', ({ sessionId }) => {
    const at = sessions.indexOf(sessionId)
    if (at >= 0) {
      sessions.splice(at, 1)
    }
  })
  cdp.on('Target.attachedToTarget', async ({ sessionId, targetInfo }) => {
    if (targetInfo.type === 'worker') {
      sessions.push(sessionId)
      await call(sessionId, 'Profiler.enable')
      await call(sessionId, 'Profiler.setSamplingInterval', { interval: 200 })
      await call(sessionId, 'Profiler.start')
    }
    await call(sessionId, 'Runtime.runIfWaitingForDebugger')
  })
  await cdp.send('Target.setAutoAttach', {
    autoAttach: true,
    waitForDebuggerOnStart: true,
    flatten: false
  })
  return {
    /** Starts the profilers of the workers running now again (after `stop()`). */
    start: async () => {
      for (const sessionId of sessions) {
        await call(sessionId, 'Profiler.start')
      }
    },
    stop: async () => {
      const profiles = []
      for (const sessionId of sessions) {
        const result = await call(sessionId, 'Profiler.stop')
        if (result?.profile) {
          profiles.push(result.profile)
        }
      }
      return profiles
    }
  }
}

/** The machine a figure was measured on, with the load average at the start. */
export function machineInfo() {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? '',
    memoryBytes: totalmem(),
    loadAverageAtStart: loadavg()
  }
}

/**
 * Chromium switches a run adds (CAX_BENCH_CHROMIUM_ARGS: space-separated, or a JSON array for a
 * switch with spaces in it such as `--js-flags=--a --b`), to try what one does to a figure.
 */
export const EXTRA_CHROMIUM_ARGS = chromiumArgsOf(process.env['CAX_BENCH_CHROMIUM_ARGS'] ?? '')

/**
 * The V8 flags the desktop app gives its window (src/main/platform/renderer-js-flags.ts): the
 * benchmarks run the app's renderer as the desktop app runs it. A `--js-flags` among
 * CAX_BENCH_CHROMIUM_ARGS replaces them.
 */
const APP_JS_FLAGS = JSON.parse(
  readFileSync(join(ROOT, 'src/main/platform/renderer-js-flags.json'), 'utf8')
).jsFlags

/** The `--js-flags` switch Chromium runs with (the benchmarks note it in their results). */
export const JS_FLAGS_SWITCH =
  EXTRA_CHROMIUM_ARGS.find((arg) => arg.startsWith('--js-flags=')) ??
  `--js-flags=${APP_JS_FLAGS.join(' ')}`

function chromiumArgsOf(text) {
  if (text.trim().startsWith('[')) {
    const args = JSON.parse(text)
    if (!Array.isArray(args) || !args.every((arg) => typeof arg === 'string')) {
      throw new Error('CAX_BENCH_CHROMIUM_ARGS: a JSON array of strings')
    }
    return args
  }
  return text.split(' ').filter(Boolean)
}

/** Debian's Chromium on a persistent profile (IndexedDB on disk, as the app has it). */
export function launchChromium(profileDir) {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    viewport: { width: 1400, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      ...(EXTRA_CHROMIUM_ARGS.includes(JS_FLAGS_SWITCH) ? [] : [JS_FLAGS_SWITCH]),
      ...EXTRA_CHROMIUM_ARGS
    ]
  })
}

/**
 * Builds the app when stale, starts Chromium on a persistent profile (IndexedDB on disk as the
 * app has it; a plain launch() context is off the record and keeps it in the browser process's
 * memory), then the browser shell (its start-up link works once, for one minute), and opens the
 * app until it is ready. `close()` stops both and removes their folders.
 */
export async function openAppInChromium(name) {
  buildIfStale()
  const dataDir = await mkdtemp(join(tmpdir(), `cax-bench-${name}-`))
  const profileDir = await mkdtemp(join(tmpdir(), 'cax-bench-profile-'))
  const context = await launchChromium(profileDir)
  const { child, url } = await startShell(dataDir)
  const close = async () => {
    await context.close()
    child.kill('SIGTERM')
    await rm(dataDir, { recursive: true, force: true })
    await rm(profileDir, { recursive: true, force: true })
  }
  try {
    const page = context.pages()[0] ?? (await context.newPage())
    await page.goto(url)
    await page.locator('[data-app-state="ready"]').waitFor()
    return { context, page, child, url, dataDir, profileDir, close }
  } catch (error) {
    await close()
    throw error
  }
}

/**
 * The largest Chromium renderer of a profile (page and worker share it): its resident memory, and
 * the part of it no other process maps (smaps_rollup's private pages: without the code and fonts
 * the browser's processes share), or null.
 */
export function rendererMemory(profileDir) {
  let found = null
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      if (cmdline.includes(profileDir) && cmdline.includes('--type=renderer')) {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8')
        const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024
        const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8')
        const kb = (name) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(rollup)?.[1] ?? 0)
        const privateBytes = (kb('Private_Clean') + kb('Private_Dirty')) * 1024
        if (rss > (found?.rss ?? 0)) {
          found = { rss, privateBytes }
        }
      }
    } catch {
      // The process ended while we looked.
    }
  }
  return found
}
