// Temporary: trace the page during a snapshot import (not committed).
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir, loadavg } from 'node:os'
import { join } from 'node:path'
import { chromium } from '@playwright/test'
import { buildIfStale, cpuSeconds, cpuSince, startShell } from './browser-shell.mjs'
const RECORDS = Number(process.env.CAX_BENCH_RECORDS ?? 100000)
const snapshot = join(tmpdir(), 'cax-bench-cache', `explorer-${RECORDS}-g1.caxsnap`)
buildIfStale()
const dataDir = await mkdtemp(join(tmpdir(), 'cax-tr-'))
const profileDir = await mkdtemp(join(tmpdir(), 'cax-trp-'))
const context = await chromium.launchPersistentContext(profileDir, { executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] })
const { child, url } = await startShell(dataDir)
try {
  const page = context.pages()[0] ?? (await context.newPage())
  await page.goto(url)
  await page.locator('[data-app-state="ready"]').waitFor()
  await page.getByRole('link', { name: 'Sync', exact: true }).click()
  await page.getByRole('heading', { name: 'Snapshots' }).waitFor()
  const cdp = await context.newCDPSession(page)
  const events = []
  cdp.on('Tracing.dataCollected', (e) => events.push(...e.value))
  const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r))
  const load0 = loadavg()[0]
  const t0 = Date.now()
  await page.getByLabel('Snapshot file').setInputFiles(snapshot)
  await page.locator('[data-testid="snapshot-import"]:is([data-status="importing"],[data-status="done"])').waitFor({ timeout: 3600_000 })
  const tv = Date.now()
  const c0 = cpuSeconds(child.pid, profileDir)
  if (process.env.TRACE) await cdp.send('Tracing.start', { categories: 'devtools.timeline,v8,blink,IndexedDB,disabled-by-default-devtools.timeline', transferMode: 'ReportEvents' })
  await page.locator('[data-testid="snapshot-import"]:is([data-status="done"],[data-status="failed"])').waitFor({ timeout: 3600_000 })
  const t1 = Date.now()
  const cpu = cpuSince(c0, cpuSeconds(child.pid, profileDir))
  console.log(JSON.stringify({ verifyMs: tv - t0, ingestMs: t1 - tv, rate: Math.round(RECORDS / ((t1 - tv) / 1000)), cpu, load: [load0, loadavg()[0]], text: await page.getByTestId('snapshot-import-counts').textContent() }))
  if (process.env.TRACE) {
    await cdp.send('Tracing.end'); await done
    // main thread of the renderer: pid/tid of CrRendererMain
    const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
    const self = new Map()
    for (const e of events) {
      if (e.ph !== 'X' || e.pid !== main?.pid) continue
      const k = `${e.tid === main.tid ? 'main' : 't' + e.tid} ${e.name}`
      self.set(k, (self.get(k) ?? 0) + (e.dur ?? 0))
    }
    console.log([...self].sort((a, b) => b[1] - a[1]).slice(0, 40).map(([k, v]) => `${(v / 1000).toFixed(0).padStart(8)} ms ${k}`).join('\n'))
  }
} finally {
  await context.close(); child.kill('SIGTERM')
  await rm(dataDir, { recursive: true, force: true }); await rm(profileDir, { recursive: true, force: true })
}
