import { spawn } from 'node:child_process'
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { SCENARIOS, startEmulator } from '../../emulator'
import type { Emulator } from '../../emulator'
import { AppOnlyAuth } from '../../main/services/auth/app-only-auth'
import { HttpsClient, isLoopbackHost } from '../../main/services/http/https-client'
import { MemoryLogger } from '../../main/services/logging/logger'
import { FileStore } from '../../main/services/store/file-store'
import { CLOUDS } from '../../shared/clouds'
import { memoryIo } from '../test-io'
import { CLI, ensureBuiltCli } from '../test-support/built-cli'

import { run as runCoverage } from './coverage'
import { appOnlyTokens, run } from './pull'

const APP_ID = '7e6d5c4b-3333-4444-8555-a66667777888'
const SOURCES = [
  'src/cli',
  'src/main/services/acquisition',
  'src/main/services/store',
  'src/main/services/audit-api',
  'src/shared/acquisition'
]

describe('cax pull (in-process)', () => {
  it('prints help and refuses bad input with exit code 2', async () => {
    const help = memoryIo(tmpdir())
    expect(await run(['--help'], help)).toBe(0)
    expect(help.out()).toContain('--store')
    const bad = memoryIo(tmpdir())
    expect(await run(['--store', 'x', '--tenant', 'not-a-guid'], bad)).toBe(2)
    expect(bad.err()).toContain('--tenant must be the tenant GUID')
    const noAuth = memoryIo(tmpdir())
    expect(
      await run(['--store', 'x', '--tenant', '6f9a1b2c-1111-4222-8333-944445555666'], noAuth)
    ).toBe(2)
    expect(noAuth.err()).toContain('sign-in needed')
    const unknown = memoryIo(tmpdir())
    expect(await run(['--store', 'x', '--frobnicate'], unknown)).toBe(2)
  })

  it("passes the engine's forceRefresh through to Entra ID (a new token request)", async () => {
    const emu = await startEmulator({ scenario: 'clean', seed: 4 })
    try {
      emu.entra.setClientSecret(APP_ID, 'refresh-secret')
      const token = appOnlyTokens(
        new AppOnlyAuth({
          clientId: APP_ID,
          tenantId: emu.tenantId,
          credential: { kind: 'secret', secret: 'refresh-secret' },
          endpoints: {
            ...emu.urls,
            managementResource: CLOUDS.commercial.managementResource,
            graphResource: CLOUDS.commercial.graphResource,
            hasGraphAuditQuery: true
          },
          http: new HttpsClient({ extraCaPem: emu.caCertPem, allowHost: isLoopbackHost }),
          log: new MemoryLogger()
        })
      )
      const requests = (): number => emu.entra.requestCounts()['token'] ?? 0
      const first = await token('management')
      expect(await token('management', false)).toBe(first)
      expect(requests()).toBe(1)
      await token('management', true)
      expect(requests()).toBe(2)
    } finally {
      await emu.close()
    }
  })

  it('exits 4 when the API refuses the token, and never prints it', async () => {
    const emu = await startEmulator({ scenario: 'clean', seed: 4 })
    const dir = await mkdtemp(join(tmpdir(), 'cax-pull-auth-'))
    try {
      const caFile = join(dir, 'ca.pem')
      await writeFile(caFile, emu.caCertPem)
      const io = memoryIo(tmpdir(), {
        BAD_TOKEN: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2lnbmF0dXJl'
      })
      const code = await run(
        [
          '--store',
          join(dir, 'store'),
          '--tenant',
          emu.tenantId,
          '--access-token-env',
          'BAD_TOKEN',
          '--api-base',
          emu.urls.managementApiBase,
          '--ca-file',
          caFile,
          '--days',
          '1',
          '--json'
        ],
        io
      )
      expect(code).toBe(4)
      expect(io.err()).toContain('refused the token')
      expect(io.out() + io.err()).not.toContain('c2lnbmF0dXJl')
    } finally {
      await emu.close()
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('cax pull: a disabled subscription', () => {
  it('exits 6 with the reason when the content subscription is not serving (AF20023)', async () => {
    const emu = await startEmulator({ scenario: 'clean', seed: 4 })
    const dir = await mkdtemp(join(tmpdir(), 'cax-pull-af20023-'))
    try {
      emu.entra.setClientSecret(APP_ID, 'subscription-secret')
      const http = new HttpsClient({ extraCaPem: emu.caCertPem, allowHost: isLoopbackHost })
      const token = await appOnlyTokens(
        new AppOnlyAuth({
          clientId: APP_ID,
          tenantId: emu.tenantId,
          credential: { kind: 'secret', secret: 'subscription-secret' },
          endpoints: {
            ...emu.urls,
            managementResource: CLOUDS.commercial.managementResource,
            graphResource: CLOUDS.commercial.graphResource,
            hasGraphAuditQuery: true
          },
          http,
          log: new MemoryLogger()
        })
      )('management')
      // Stopped after a recent start: starting it again says "enabled" while /content answers
      // AF20023 for 15 minutes (management-api.md §2.5).
      const root = `${emu.urls.managementApiBase}/api/v1.0/${emu.tenantId}/activity/feed`
      for (const op of ['stop', 'start', 'stop']) {
        await http.send({
          method: 'POST',
          url: `${root}/subscriptions/${op}?contentType=Audit.General&PublisherIdentifier=${emu.tenantId}`,
          headers: { Authorization: `Bearer ${token}` },
          body: ''
        })
      }
      const caFile = join(dir, 'ca.pem')
      await writeFile(caFile, emu.caCertPem)
      const io = memoryIo(tmpdir(), { CAX_TEST_SECRET: 'subscription-secret' })
      const code = await run(
        [
          '--store',
          join(dir, 'store'),
          '--tenant',
          emu.tenantId,
          '--client-id',
          APP_ID,
          '--client-secret-env',
          'CAX_TEST_SECRET',
          '--content-type',
          'Audit.General',
          '--days',
          '1',
          '--api-base',
          emu.urls.managementApiBase,
          '--authority-host',
          emu.urls.authorityHost,
          '--ca-file',
          caFile
        ],
        io
      )
      expect(io.err()).toMatch(/disabled.*15 minutes/)
      expect(code).toBe(6)
    } finally {
      await emu.close()
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('cax pull: a window that keeps failing', () => {
  let emu: Emulator
  let dir: string
  const DAY = 86_400_000

  beforeAll(async () => {
    emu = await startEmulator({ scenario: 'clean', seed: 5 })
    emu.entra.setClientSecret(APP_ID, 'partial-secret')
    emu.entra.setAccessTokenLifetime(30 * 86_400)
    // Queries reach their final status at once: no polling waits on the real clock.
    emu.faults.set({ graphNotStartedSeconds: 0, graphRunSeconds: 0 })
    dir = await mkdtemp(join(tmpdir(), 'cax-pull-partial-'))
    await writeFile(join(dir, 'ca.pem'), emu.caCertPem)
  })

  afterAll(async () => {
    await emu?.close()
    if (dir) {
      await rm(dir, { recursive: true, force: true })
    }
  })

  const pullArgs = (store: string, since: Date, until: Date, extra: string[] = []): string[] => [
    '--store',
    store,
    '--tenant',
    emu.tenantId,
    '--client-id',
    APP_ID,
    '--client-secret-env',
    'CAX_TEST_SECRET',
    '--since',
    since.toISOString(),
    '--until',
    until.toISOString(),
    '--api-base',
    emu.urls.managementApiBase,
    '--graph-base',
    emu.urls.graphBase,
    '--authority-host',
    emu.urls.authorityHost,
    '--ca-file',
    join(dir, 'ca.pem'),
    '--max-attempts',
    '1',
    '--json',
    ...extra
  ]

  it('Graph history: one day fails, the others complete, exit 3 naming it; the next run fills it in', async () => {
    const today = Math.floor(Date.now() / DAY) * DAY
    const since = new Date(today - 10 * DAY)
    const until = new Date(today - 7 * DAY)
    const failing = new Date(today - 9 * DAY)
    emu.faults.set({
      graphQueryFaults: [
        {
          from: failing.toISOString(),
          to: new Date(failing.getTime() + DAY).toISOString(),
          fault: 'failed'
        }
      ]
    })
    const store = join(dir, 'graph')
    const first = memoryIo(tmpdir(), { CAX_TEST_SECRET: 'partial-secret' })
    expect(await run(pullArgs(store, since, until, ['--history']), first), first.err()).toBe(3)
    const summary = first.json()
    expect(summary.windows).toEqual({ complete: 2, partial: 0, failed: 1 })
    expect(summary.failedWindows).toEqual([
      {
        source: 'graph',
        contentType: 'power-platform',
        start: failing.toISOString(),
        end: new Date(failing.getTime() + DAY).toISOString(),
        status: 'failed',
        error: { code: 'graph-query-failed', message: expect.stringMatching(/ended 'failed'/) }
      }
    ])
    expect(summary.new).toBeGreaterThan(0)
    expect(first.err()).toMatch(/run the same pull again/)

    // Coverage of a range wider than the ledger: the failed day is partial with the reason, the
    // day before the pull's range was never requested.
    const cov = memoryIo(tmpdir())
    const wider = [
      '--store',
      store,
      '--from',
      new Date(since.getTime() - DAY).toISOString(),
      '--to',
      until.toISOString(),
      '--json'
    ]
    expect(await runCoverage(wider, cov)).toBe(3)
    const hours = cov.json() as {
      hours: number
      complete: number
      partial: number
      gap: number
      notComplete: Array<{ hour: string; status: string; reason: string }>
    }
    expect(hours).toMatchObject({ hours: 96, complete: 48, partial: 24, gap: 24 })
    expect(hours.notComplete[0]?.reason).toMatch(/^not requested/)
    expect(hours.notComplete.find((h) => h.status === 'partial')?.reason).toMatch(
      /ended 'failed'.*the next sync queries it again/
    )

    emu.faults.set({ graphQueryFaults: [] })
    const second = memoryIo(tmpdir(), { CAX_TEST_SECRET: 'partial-secret' })
    expect(await run(pullArgs(store, since, until, ['--history']), second), second.err()).toBe(0)
    expect(second.json()).toMatchObject({
      windows: { complete: 3, partial: 0, failed: 0 },
      failedWindows: []
    })
    expect(second.json().new).toBeGreaterThan(0)
  })

  it('Management: a day whose listing keeps failing is named, the rest is collected, exit 3', async () => {
    const now = Date.now()
    const today = Math.floor(now / DAY) * DAY
    const since = new Date(today - 2 * DAY)
    const until = new Date(now - 3_600_000)
    const failing = new Date(today - DAY)
    emu.faults.set({
      listingFaults: [
        { from: failing.toISOString(), to: new Date(today).toISOString(), fault: '503' }
      ]
    })
    const store = join(dir, 'management')
    const io = memoryIo(tmpdir(), { CAX_TEST_SECRET: 'partial-secret' })
    expect(await run(pullArgs(store, since, until), io), io.err()).toBe(3)
    const summary = io.json() as {
      new: number
      windows: { failed: number }
      failedWindows: Array<{ source: string; start: string; error: { code: string } }>
    }
    expect(summary.windows.failed).toBe(1)
    expect(summary.failedWindows.map((w) => [w.source, w.start, w.error.code])).toEqual([
      ['management', failing.toISOString(), 'HTTP_503']
    ])
    expect(summary.new).toBeGreaterThan(0)
    emu.faults.set({ listingFaults: [] })
  })
})

describe('cax pull in a child process, killed with SIGKILL halfway', () => {
  let emu: Emulator
  let dir: string

  beforeAll(async () => {
    ensureBuiltCli(SOURCES)
    // Real-time clock (the child process uses its own); no late blobs, so the ground truth of a
    // window ending an hour ago is fixed.
    emu = await startEmulator({
      scenario: {
        ...SCENARIOS.clean,
        name: 'crash-test',
        generator: { ...SCENARIOS.clean.generator, eventsPerDay: 40_000, blobSize: 200 }
      },
      seed: 21
    })
    emu.entra.setClientSecret(APP_ID, 'crash-test-secret')
    dir = await mkdtemp(join(tmpdir(), 'cax-pull-crash-'))
    await writeFile(join(dir, 'ca.pem'), emu.caCertPem)
  }, 300_000)

  afterAll(async () => {
    await emu?.close()
    if (dir) {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('resumes to exactly the ground truth: nothing lost, nothing doubled', async () => {
    const now = Date.now()
    const since = new Date(now - 20 * 3_600_000)
    const until = new Date(Math.floor((now - 3_600_000) / 60_000) * 60_000)
    const store = join(dir, 'store')
    const args = [
      CLI,
      'pull',
      '--store',
      store,
      '--tenant',
      emu.tenantId,
      '--client-id',
      APP_ID,
      '--client-secret-env',
      'CAX_TEST_SECRET',
      '--since',
      since.toISOString(),
      '--until',
      until.toISOString(),
      '--api-base',
      emu.urls.managementApiBase,
      '--graph-base',
      emu.urls.graphBase,
      '--authority-host',
      emu.urls.authorityHost,
      '--ca-file',
      join(dir, 'ca.pem'),
      '--json'
    ]
    const start = (): ReturnType<typeof spawn> =>
      spawn(process.execPath, args, {
        env: { ...process.env, CAX_TEST_SECRET: 'crash-test-secret' },
        stdio: ['ignore', 'pipe', 'pipe']
      })
    const exited = (
      child: ReturnType<typeof spawn>
    ): Promise<{ code: number | null; signal: string | null; out: string; err: string }> =>
      new Promise((done) => {
        let out = ''
        let err = ''
        child.stdout?.on('data', (d: Buffer) => (out += d.toString()))
        child.stderr?.on('data', (d: Buffer) => (err += d.toString()))
        child.on('exit', (code, signal) => done({ code, signal, out, err }))
      })

    // Run 1: killed once a few MB of records are on disk.
    const first = start()
    const firstExit = exited(first)
    let isKilled = false
    const records = join(store, 'records.ndjson')
    while (!isKilled) {
      await new Promise((r) => setTimeout(r, 20))
      const size = await stat(records).then(
        (s) => s.size,
        () => 0
      )
      if (first.exitCode !== null) {
        break
      }
      if (size > 3_000_000) {
        first.kill('SIGKILL')
        isKilled = true
      }
    }
    const one = await firstExit
    expect(isKilled, `run 1 finished before it could be killed: ${one.err.slice(-500)}`).toBe(true)
    expect(one.signal).toBe('SIGKILL')

    // Run 2 resumes.
    const two = await exited(start())
    expect(two.code, two.err.slice(-2000)).toBe(0)
    // The same pull, never interrupted, into another store: the reference.
    const refArgs = args.map((a) => (a === store ? join(dir, 'reference') : a))
    const ref = await exited(
      spawn(process.execPath, refArgs, {
        env: { ...process.env, CAX_TEST_SECRET: 'crash-test-secret' },
        stdio: ['ignore', 'pipe', 'pipe']
      })
    )
    expect(ref.code, ref.err.slice(-2000)).toBe(0)
    const refSummary = JSON.parse(ref.out.trim().split('\n').pop() ?? '{}') as {
      duplicates: number
    }
    const summary = JSON.parse(two.out.trim().split('\n').pop() ?? '{}') as {
      records: number
      new: number
      duplicates: number
      gaps: number
      blobs: { skipped: number }
    }
    expect(summary.gaps).toBe(0)
    expect(summary.blobs.skipped).toBeGreaterThan(0)

    const truth = emu.groundTruth(since, until, 'Audit.General')
    const opened = await FileStore.open(store)
    try {
      const ids: string[] = []
      for await (const r of opened.records()) {
        ids.push(r.id)
      }
      expect(ids.length).toBe(truth.size)
      expect(new Set(ids).size).toBe(ids.length)
      expect([...ids].sort()).toEqual([...truth].map((id) => id.toLowerCase()).sort())
      // Duplicates counted exactly as by the uninterrupted run: no record counted twice.
      expect([...opened.duplicateCounts().values()].reduce((a, b) => a + b, 0)).toBe(
        refSummary.duplicates
      )
      const ledger = await opened.ledger()
      expect(Object.values(ledger.blobs).every((b) => b.status === 'done')).toBe(true)
    } finally {
      await opened.close()
    }
  }, 120_000)
})
