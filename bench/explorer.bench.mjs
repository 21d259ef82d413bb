// Explorer scale benchmark: one million cached records in IndexedDB, explored in Debian's Chromium
// through the browser shell. Measures time to first rows, filter/facet changes, sort, scrolling
// and memory; writes bench/results/explorer.json and prints a table.
//
//   npm run bench                       (every bench/*.bench.mjs)
//   CAX_BENCH_RECORDS=100000 node bench/explorer.bench.mjs   (a smaller run)
import { execSync, spawn } from 'node:child_process'
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { cpus, tmpdir, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

import { chromium } from '@playwright/test'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const RECORDS = Number(process.env['CAX_BENCH_RECORDS'] ?? 1_000_000)
const SEED_BATCH = 5000
const CHANGES = 50
const TARGETS = { firstRowsMs: 1500, filterP95Ms: 200, sortMs: 500, heapBytes: 1.5 * 1024 ** 3 }

function newestMtime(dir) {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs)
  }
  return newest
}

function buildIfStale() {
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

async function startShell(dataDir) {
  const child = spawn(
    process.execPath,
    [join(ROOT, 'out/main/web.js'), '--port', '0', '--no-open', '--data-dir', dataDir],
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

/** Runs in the page: writes `count` realistic synthetic NormalizedRecords into IndexedDB. */
async function seedInPage({ count, batch }) {
  const ACTIVITIES = [
    ['PutConnection', 'Connection created or edited', 'Connection'],
    ['PutConnectionPermission', 'Connection permission added or edited', 'Connection'],
    ['PatchApi', 'API edited', 'API'],
    ['PutAppConnectionUsage', 'App connection usage changed', 'Connection'],
    ['LaunchPowerApp', 'Launched app', 'Power Apps'],
    ['CreateFlow', 'Created flow', 'Power Automate'],
    ['EditFlow', 'Edited flow', 'Power Automate'],
    ['DeleteFlow', 'Deleted flow', 'Power Automate'],
    ['GovernanceApiPolicyOperation', 'Data policy changed', 'Data policy'],
    ['AppDlpEvaluationResultChange', 'Added DataLossPreventionEvaluationResult', 'Data policy'],
    ['UpdatePowerApp', 'Edited app', 'Power Apps'],
    ['PublishPowerApp', 'Published app', 'Power Apps'],
    ['BotCreate', 'Created agent', 'Copilot Studio'],
    ['EnvironmentVariableUpdate', 'Updated environment variable', 'Copilot Studio'],
    ['DeleteConnection', 'DeleteConnection', 'Other'],
    ['SecurityRoleUpdated', 'Security role updated', 'Power Platform admin']
  ]
  const CONNECTORS = Array.from(
    { length: 60 },
    (_, i) =>
      ['shared_sql', 'shared_office365', 'shared_sharepointonline', 'shared_http'][i % 4] +
      (i < 4 ? '' : `_${i}`)
  )
  const TENANT = '11111111-2222-3333-4444-555555555555'
  const END = Date.now()
  const SPAN = 90 * 86_400_000
  let state = 12345
  const rand = (n) => {
    state = (state * 1103515245 + 12345) & 0x7fffffff
    return state % n
  }
  const hex = (n, width) => n.toString(16).padStart(width, '0')
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open('connector-audit-explorer')
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
  const started = performance.now()
  for (let start = 0; start < count; start += batch) {
    const tx = db.transaction('records', 'readwrite')
    const store = tx.objectStore('records')
    for (let i = start; i < Math.min(count, start + batch); i++) {
      const [operation, activity, category] = ACTIVITIES[rand(ACTIVITIES.length)]
      const user = rand(2000)
      const userType = user % 50 === 0 ? 2 : 0
      const userId = `user${user}@contoso.example`
      const env = `${hex(rand(40), 8)}-0000-4000-8000-${hex(7, 12)}`
      const connector = CONNECTORS[rand(CONNECTORS.length)]
      const createdAtMs = END - Math.floor((rand(1_000_000) / 1_000_000) * SPAN)
      const id = `${hex(i, 8)}-${hex(rand(65536), 4)}-4${hex(rand(4096), 3)}-8${hex(rand(4096), 3)}-${hex(i * 7919, 12)}`
      const clientIp = `10.${rand(20)}.${rand(250)}.${rand(250)}`
      const resource = `${hex(rand(50_000), 8)}-aaaa-4bbb-8ccc-${hex(rand(1 << 24), 12)}`
      const createdAt = new Date(createdAtMs).toISOString()
      const raw = {
        Id: id,
        RecordType: 261,
        CreationTime: createdAt.slice(0, 19),
        Operation: operation,
        OrganizationId: TENANT,
        UserType: userType,
        UserKey: `1003${hex(user, 12)}`,
        Workload: 'PowerPlatform',
        ResultStatus: 'Succeeded',
        ClientIP: clientIp,
        UserId: userId,
        ObjectId: resource,
        AdditionalInfo: JSON.stringify({
          EnvironmentName: env,
          ActionName: operation,
          ResourceId: resource,
          ConnectorName: connector,
          UserAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) PowerApps/3.24'
        })
      }
      const fields = {
        Id: id,
        RecordType: '261',
        CreationTime: raw.CreationTime,
        Operation: operation,
        OrganizationId: TENANT,
        UserType: String(userType),
        UserKey: raw.UserKey,
        Workload: 'PowerPlatform',
        ResultStatus: 'Succeeded',
        ClientIP: clientIp,
        UserId: userId,
        ObjectId: resource,
        'AdditionalInfo.EnvironmentName': env,
        'AdditionalInfo.ActionName': operation,
        'AdditionalInfo.ResourceId': resource,
        'AdditionalInfo.ConnectorName': connector,
        'AdditionalInfo.UserAgent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) PowerApps/3.24'
      }
      store.put({
        id,
        seq: i + 1,
        createdAt,
        createdAtMs,
        recordType: 261,
        recordTypeName: 'PowerPlatformConnector',
        operation,
        workload: 'PowerPlatform',
        userId,
        userKey: raw.UserKey,
        userType,
        userTypeLabel: userType === 2 ? 'Admin' : 'Regular user',
        clientIp,
        objectId: resource,
        organizationId: TENANT,
        resultStatus: 'Succeeded',
        succeeded: true,
        activity,
        category,
        catalogConfidence: category === 'Other' ? 'unknown' : 'confirmed',
        isConnectorEvent: category === 'Connection' || category === 'API',
        environment: env,
        environmentName: '',
        action: operation,
        resource,
        resourceName: '',
        connector,
        permissionType: '',
        targetUserId: '',
        dlpSubOperation: '',
        actorRole: '',
        userAgent: fields['AdditionalInfo.UserAgent'],
        fields,
        warnings: [],
        raw: JSON.stringify(raw),
        provenance: null
      })
    }
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve
      tx.onerror = () => reject(tx.error)
    })
  }
  db.close()
  return performance.now() - started
}

/** Runs in the page: toggles facets and ranges, timing each change until the count updates. */
async function filterChangesInPage({ changes }) {
  const status = document.querySelector('[data-testid="explorer-status"]')
  const waitForStatus = (before) =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        observer.disconnect()
        resolve(false)
      }, 15_000)
      const observer = new MutationObserver(() => {
        if (status.textContent !== before) {
          clearTimeout(timer)
          observer.disconnect()
          resolve(true)
        }
      })
      observer.observe(status, { childList: true, characterData: true, subtree: true })
    })
  const timeChange = async (act) => {
    const before = status.textContent
    const t0 = performance.now()
    act()
    const changed = await waitForStatus(before)
    return changed ? performance.now() - t0 : null
  }
  const setSelect = (select, value) => {
    const setter = Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value').set
    setter.call(select, value)
    select.dispatchEvent(new Event('change', { bubbles: true }))
  }
  const sections = ['Activity', 'User', 'Environment', 'Connector', 'Category']
  const times = []
  const failed = []
  for (let i = 0; times.length + failed.length < changes; i++) {
    let act
    if (i % 6 === 5) {
      const select = document.querySelector('select[aria-label="Date range"]')
      const value = select.value === '30d' ? 'all' : '30d'
      act = () => setSelect(select, value)
    } else {
      const section = document.querySelector(
        `aside[aria-label="Facets"] section[aria-label="${sections[i % sections.length]} facet"]`
      )
      const boxes = section ? section.querySelectorAll('input[type="checkbox"]') : []
      const box = boxes[Math.floor(i / sections.length) % Math.max(1, boxes.length)]
      if (!box) {
        continue
      }
      // On, then off again: the count changes both ways.
      act = () => box.click()
      const on = await timeChange(act)
      ;(on === null ? failed : times).push(on ?? i)
      if (times.length + failed.length >= changes) {
        break
      }
    }
    const t = await timeChange(act)
    ;(t === null ? failed : times).push(t ?? i)
  }
  return { times, failed: failed.length }
}

/** Runs in the page: sorts by a column header and times until row 0 shows the new order. */
async function sortInPage({ colId }) {
  const rowText = () => document.querySelector('[role="row"][row-index="0"]')?.textContent ?? ''
  const before = rowText()
  const header = document.querySelector(`.ag-header-cell[col-id="${colId}"] .ag-header-cell-label`)
  const t0 = performance.now()
  header.click()
  return new Promise((resolve) => {
    const check = () => {
      const now = rowText()
      if (now !== '' && now !== before && !now.includes('Loading')) {
        resolve(performance.now() - t0)
      } else if (performance.now() - t0 > 15_000) {
        resolve(null)
      } else {
        requestAnimationFrame(check)
      }
    }
    requestAnimationFrame(check)
  })
}

/** Runs in the page: scrolls the grid for ~frames frames and records frame times. */
async function scrollInPage({ frames, step }) {
  // The element that really scrolls the rows (ag-grid's class names move between majors).
  const viewport = [...document.querySelectorAll('section[aria-label="Audit records"] *')].find(
    (el) =>
      el.scrollHeight > el.clientHeight + 1000 &&
      ['auto', 'scroll'].includes(getComputedStyle(el).overflowY)
  )
  const deltas = []
  let last = performance.now()
  for (let i = 0; i < frames; i++) {
    viewport.scrollTop += step
    await new Promise((resolve) => requestAnimationFrame(resolve))
    const now = performance.now()
    deltas.push(now - last)
    last = now
  }
  // Give the last blocks time to arrive, then count rows still waiting for data.
  await new Promise((resolve) => setTimeout(resolve, 500))
  const rows = [...document.querySelectorAll('[role="row"][row-index]')]
  const empty = rows.filter((row) => (row.textContent ?? '').trim() === '').length
  return { deltas, rowsShown: rows.length, emptyRows: empty }
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN
}

async function workerHeap(cdp) {
  // The query worker is its own V8 isolate: attach to it from the page's CDP session.
  try {
    const { targetInfos } = await cdp.send('Target.getTargets')
    let total = 0
    let found = 0
    for (const target of targetInfos.filter((t) => t.type === 'worker')) {
      const { sessionId } = await cdp.send('Target.attachToTarget', {
        targetId: target.targetId,
        flatten: false
      })
      const answer = new Promise((resolve) => {
        cdp.on('Target.receivedMessageFromTarget', (event) => {
          if (event.sessionId === sessionId) {
            const message = JSON.parse(event.message)
            if (message.id === 1) {
              resolve(message.result)
            }
          }
        })
      })
      await cdp.send('Target.sendMessageToTarget', {
        sessionId,
        message: JSON.stringify({ id: 1, method: 'Runtime.getHeapUsage' })
      })
      const result = await Promise.race([
        answer,
        new Promise((resolve) => setTimeout(() => resolve(null), 5000))
      ])
      if (result) {
        found++
        total += result.usedSize
      }
    }
    return found > 0 ? total : null
  } catch (error) {
    console.log(`[bench] worker heap not available: ${error.message}`)
    return null
  }
}

function rendererRss(profileDir) {
  // Page and worker live in one renderer process; its resident memory is what the user pays.
  let rss = 0
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      if (cmdline.includes(profileDir) && cmdline.includes('--type=renderer')) {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8')
        rss = Math.max(rss, Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024)
      }
    } catch {
      // The process ended while we looked.
    }
  }
  return rss || null
}

const mb = (bytes) => (bytes == null ? 'n/a' : `${(bytes / 1024 ** 2).toFixed(0)} MB`)
const ms = (value) => (value == null || Number.isNaN(value) ? 'n/a' : `${value.toFixed(0)} ms`)

async function main() {
  buildIfStale()
  const dataDir = await mkdtemp(join(tmpdir(), 'cax-bench-explorer-'))
  // A persistent profile keeps IndexedDB on disk as the app has it (a plain launch() context is
  // off the record: IndexedDB would live in the browser process's memory).
  const profileDir = await mkdtemp(join(tmpdir(), 'cax-bench-profile-'))
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    viewport: { width: 1400, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run'
    ]
  })
  // After the browser is up: the shell's start-up link works once, for one minute.
  const { child, url } = await startShell(dataDir)
  const results = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '', memoryBytes: totalmem() },
    records: RECORDS,
    targets: TARGETS
  }
  try {
    const page = context.pages()[0] ?? (await context.newPage())
    await page.goto(url)
    await page.getByRole('heading', { name: 'No audit records cached yet' }).waitFor()

    console.log(`[bench] seeding ${RECORDS.toLocaleString()} records into IndexedDB…`)
    results.seedMs = await page.evaluate(seedInPage, { count: RECORDS, batch: SEED_BATCH })
    console.log(`[bench] seeded in ${(results.seedMs / 1000).toFixed(1)} s`)

    const opened = Date.now()
    await page.reload()
    await page.locator('[role="row"][row-index="0"] [col-id="userId"]').first().waitFor()
    await page.waitForFunction(
      () =>
        (document.querySelector('[role="row"][row-index="0"] [col-id="userId"]')?.textContent ??
          '') !== ''
    )
    results.firstRowsMs = Date.now() - opened
    await page.waitForFunction(
      (n) => {
        const text = document.querySelector('[data-testid="explorer-status"]')?.textContent ?? ''
        return !text.includes('indexing') && text.includes(`of ${n.toLocaleString()} records`)
      },
      RECORDS,
      { timeout: 30 * 60_000, polling: 500 }
    )
    results.fullIndexMs = Date.now() - opened
    console.log(
      `[bench] first rows ${results.firstRowsMs} ms, fully indexed ${results.fullIndexMs} ms`
    )
    await page.waitForTimeout(1000)

    const filters = await page.evaluate(filterChangesInPage, { changes: CHANGES })
    results.filterChanges = {
      count: filters.times.length,
      timedOut: filters.failed,
      p50Ms: percentile(filters.times, 50),
      p95Ms: percentile(filters.times, 95),
      maxMs: Math.max(...filters.times)
    }

    const searchStarted = Date.now()
    await page.getByRole('searchbox', { name: 'Quick search' }).fill('user1234@')
    await page.waitForFunction(
      (n) =>
        !(document.querySelector('[data-testid="explorer-status"]')?.textContent ?? '').startsWith(
          n.toLocaleString()
        ),
      RECORDS
    )
    results.quickSearchMs = Date.now() - searchStarted
    results.quickSearchDebounceMs = 250
    await page.getByRole('searchbox', { name: 'Quick search' }).fill('')
    await page.waitForTimeout(1500)

    results.sort = {}
    for (const colId of ['userId', 'activity', 'clientIp', 'createdAt']) {
      results.sort[colId] = await page.evaluate(sortInPage, { colId })
      await page.waitForTimeout(300)
    }
    results.sortMaxMs = Math.max(...Object.values(results.sort).map((v) => v ?? Infinity))

    const scroll = await page.evaluate(scrollInPage, { frames: 180, step: 700 })
    results.scroll = {
      frames: scroll.deltas.length,
      p50FrameMs: percentile(scroll.deltas, 50),
      p95FrameMs: percentile(scroll.deltas, 95),
      maxFrameMs: Math.max(...scroll.deltas),
      rowsShown: scroll.rowsShown,
      rowsStillLoadingAfter500ms: scroll.emptyRows
    }

    const cdp = await context.newCDPSession(page)
    await cdp.send('Performance.enable')
    const { metrics } = await cdp.send('Performance.getMetrics')
    results.pageHeapBytes = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? null
    results.workerHeapBytes = await workerHeap(cdp)
    results.heapBytes = (results.pageHeapBytes ?? 0) + (results.workerHeapBytes ?? 0)
    results.rendererRssBytes = rendererRss(profileDir)
  } finally {
    await context.close()
    child.kill('SIGTERM')
    await rm(dataDir, { recursive: true, force: true })
    await rm(profileDir, { recursive: true, force: true })
  }

  await mkdir(join(ROOT, 'bench', 'results'), { recursive: true })
  await writeFile(
    join(ROOT, 'bench', 'results', 'explorer.json'),
    `${JSON.stringify(results, null, 2)}\n`
  )
  const verdict = (ok) => (ok ? 'ok' : 'MISSED')
  const rows = [
    ['Records', RECORDS.toLocaleString(), '', ''],
    ['Seed into IndexedDB', ms(results.seedMs), '', ''],
    [
      'First rows after opening',
      ms(results.firstRowsMs),
      '< 1500 ms',
      verdict(results.firstRowsMs < 1500)
    ],
    ['Whole cache indexed', ms(results.fullIndexMs), '', ''],
    [
      'Filter/facet change p95',
      `${ms(results.filterChanges.p95Ms)} (p50 ${ms(results.filterChanges.p50Ms)}, n=${results.filterChanges.count})`,
      '< 200 ms',
      verdict(results.filterChanges.p95Ms < 200)
    ],
    ['Quick search (incl. 250 ms debounce)', ms(results.quickSearchMs), '', ''],
    [
      'Sort (slowest of 4 columns)',
      ms(results.sortMaxMs),
      '< 500 ms',
      verdict(results.sortMaxMs < 500)
    ],
    [
      'Scroll frame p50 / p95 / max',
      `${ms(results.scroll.p50FrameMs)} / ${ms(results.scroll.p95FrameMs)} / ${ms(results.scroll.maxFrameMs)}`,
      '',
      ''
    ],
    [
      'JS heap (page + worker)',
      `${mb(results.heapBytes)} (page ${mb(results.pageHeapBytes)}, worker ${mb(results.workerHeapBytes)})`,
      '< 1536 MB',
      verdict(results.heapBytes < TARGETS.heapBytes)
    ],
    ['Renderer process RSS', mb(results.rendererRssBytes), '', '']
  ]
  console.log(`\nExplorer benchmark (${cpus().length} cores)`)
  for (const [name, value, target, ok] of rows) {
    console.log(`${name.padEnd(38)} ${value.padEnd(44)} ${target.padEnd(10)} ${ok}`)
  }
}

await main()
