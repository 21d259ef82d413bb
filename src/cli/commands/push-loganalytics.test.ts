import { tmpdir } from 'node:os'
import { spawn } from 'node:child_process'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

import { generate } from 'selfsigned'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'

import type { Emulator } from '../../emulator'
import { BearerHttp } from '../../main/services/audit-api/bearer-http'
import { tokenDestination } from '../../main/services/audit-api/token-destination'
import { AppOnlyAuth } from '../../main/services/auth/app-only-auth'
import { HttpsClient } from '../../main/services/http/https-client'
import { MemoryLogger } from '../../main/services/logging/logger'
import { LogAnalyticsClient } from '../../main/services/sources/log-analytics/log-analytics-client'
import { CLOUDS, logsIngestionScope } from '../../shared/clouds'
import { memoryIo } from '../test-io'
import { CLI, ensureBuiltCli } from '../test-support/built-cli'
import { startEmulatorKit, storedIds, type EmulatorKit } from '../test-support/emulator-kit'

import { run as pull } from './pull'
import { run as push } from './push'
import { run as snapshot } from './snapshot'

const APP_ID = '3c2b1a09-5555-4666-8777-988889999000'
const SECRET = 'push-secret'
const SINCE = new Date('2026-05-20T00:00:00Z')
const UNTIL = new Date('2026-05-24T00:00:00Z')

interface PushSummary {
  runId: string
  isResumed: boolean
  records: number
  sentRecords: number
  parts: {
    sent: number
    foundPresent: number
    resent: number
    split: number
    verified: number
    skipped: number
    failed: number
  }
  unverified: unknown[]
  throttled: number
}

describe('cax push loganalytics (against the fake Logs Ingestion and query APIs over HTTPS)', () => {
  let kit: EmulatorKit | undefined
  let emu: Emulator
  let dir: string
  let caFile: string
  let certFile: string
  let keyFile: string
  let store: string
  let storeIds: string[]
  let tableNo = 0

  beforeAll(async () => {
    kit = await startEmulatorKit({
      appId: APP_ID,
      secret: SECRET,
      eventsPerDay: 800,
      seed: 17,
      now: UNTIL,
      tmpPrefix: 'cax-push-la-',
      tokenLifetime: 30 * 86_400
    })
    emu = kit.emu
    dir = kit.dir
    caFile = kit.caFile
    const pems = await generate([{ name: 'commonName', value: 'cax-push' }], { keySize: 2048 })
    emu.entra.registerClientCertificate(APP_ID, pems.cert)
    certFile = join(dir, 'cert.pem')
    keyFile = join(dir, 'key.pem')
    await writeFile(certFile, pems.cert)
    await writeFile(keyFile, pems.private)
    // The store to push: four days of two Sentinel tables, read with `cax pull`.
    store = join(dir, 'store')
    const io = memoryIo(tmpdir(), { CAX_SECRET: SECRET })
    const code = await pull(
      [
        '--source',
        'workspace',
        '--store',
        store,
        '--tenant',
        emu.tenantId,
        '--workspace-id',
        emu.workspaceId,
        '--tables',
        'PowerPlatformAdminActivity,PowerAutomateActivity',
        '--since',
        SINCE.toISOString(),
        '--until',
        UNTIL.toISOString(),
        '--client-id',
        APP_ID,
        '--client-secret-env',
        'CAX_SECRET',
        '--workspace-api-base',
        emu.urls.logAnalyticsBase,
        '--authority-host',
        emu.urls.authorityHost,
        '--ca-file',
        caFile,
        '--json'
      ],
      io
    )
    expect(code, io.err()).toBe(0)
    storeIds = await storedIds(store)
    expect(storeIds.length).toBeGreaterThan(500)
  }, 120_000)

  afterAll(async () => {
    await kit?.close()
  })

  beforeEach(() => {
    emu.logsIngestion.setLimits({ maxBodyBytes: 1024 * 1024, requestsPerWindow: 12_000 })
  })

  /** Prints the definitions with the CLI and deploys them into the fake, like an admin. */
  const deploy = async (): Promise<{ table: string; ruleId: string; endpoint: string }> => {
    tableNo++
    const table = `CaxPush${tableNo}_CL`
    const io = memoryIo(tmpdir())
    expect(await push(['loganalytics', '--print-definitions', '--table', table], io)).toBe(0)
    const defs = JSON.parse(io.out()) as { table: unknown; dataCollectionRule: unknown }
    const deployed = emu.logsIngestion.deploy({ table: defs.table, rule: defs.dataCollectionRule })
    return { table, ruleId: deployed.immutableId, endpoint: deployed.endpoint }
  }

  const pushArgs = (
    target: { table: string; ruleId: string; endpoint: string },
    journal: string,
    extra: string[] = []
  ): string[] => [
    'loganalytics',
    '--store',
    store,
    '--tenant',
    emu.tenantId,
    '--endpoint',
    target.endpoint,
    '--rule-id',
    target.ruleId,
    '--table',
    target.table,
    '--workspace-id',
    emu.workspaceId,
    '--journal',
    join(dir, journal),
    '--client-id',
    APP_ID,
    '--certificate',
    certFile,
    '--private-key',
    keyFile,
    '--workspace-api-base',
    emu.urls.logAnalyticsBase,
    '--authority-host',
    emu.urls.authorityHost,
    '--ca-file',
    caFile,
    '--ingestion-latency',
    '0',
    '--max-part-bytes',
    '200000',
    '--json',
    ...extra
  ]

  const runPush = async (
    args: string[]
  ): Promise<{ code: number; summary: PushSummary; err: string }> => {
    const io = memoryIo(tmpdir())
    const code = await push(args, io)
    const last = io.out().trim().split('\n').pop() ?? '{}'
    return { code, summary: JSON.parse(last) as PushSummary, err: io.err() }
  }

  /** UalIds in the fake workspace's table, once per row. */
  /** The app's own sign-in against the fake Entra ID, as a second tool would have it. */
  const appAuth = (http: HttpsClient): AppOnlyAuth =>
    new AppOnlyAuth({
      clientId: APP_ID,
      tenantId: emu.tenantId,
      credential: { kind: 'secret', secret: SECRET },
      endpoints: {
        ...emu.urls,
        managementResource: CLOUDS.commercial.managementResource,
        graphResource: CLOUDS.commercial.graphResource,
        hasGraphAuditQuery: true
      },
      http,
      log: new MemoryLogger()
    })

  const landed = async (table: string): Promise<string[]> => {
    // Read back through the query API (the fake's _CL table), by the product's own client.
    const http = new HttpsClient({ extraCaPem: emu.caCertPem })
    const auth = appAuth(http)
    const client = new LogAnalyticsClient({
      http: new BearerHttp({
        http,
        destination: tokenDestination('the Log Analytics query API', emu.urls.logAnalyticsBase),
        token: async (f) =>
          (await auth.getResourceToken(CLOUDS.commercial.logAnalyticsResource, f)).token
      }),
      base: emu.urls.logAnalyticsBase
    })
    const answer = await client.query(
      emu.workspaceId,
      `${table} | summarize count() by UalId`,
      undefined
    )
    const rows: string[] = []
    for (const [id, n] of answer.table.rows) {
      for (let i = 0; i < Number(n); i++) {
        rows.push(String(id))
      }
    }
    return rows
  }

  it('prints definitions an admin can deploy: UalId instead of the reserved Id, EventTime kept', async () => {
    const io = memoryIo(tmpdir())
    expect(
      await push(
        ['loganalytics', '--print-definitions', '--location', 'westeurope', '--table', 'Pp_CL'],
        io
      )
    ).toBe(0)
    const defs = JSON.parse(io.out()) as {
      table: { properties: { schema: { name: string; columns: Array<{ name: string }> } } }
      dataCollectionRule: {
        location: string
        kind: string
        properties: { dataFlows: Array<{ outputStream: string }> }
      }
      stream: string
    }
    const names = defs.table.properties.schema.columns.map((c) => c.name)
    expect(names).toContain('UalId')
    expect(names).toContain('EventTime')
    expect(names).toContain('PushPart')
    expect(names.map((n) => n.toLowerCase())).not.toContain('id')
    expect(defs.dataCollectionRule.kind).toBe('Direct')
    expect(defs.dataCollectionRule.location).toBe('westeurope')
    expect(defs.dataCollectionRule.properties.dataFlows[0]?.outputStream).toBe('Custom-Pp_CL')
    expect(defs.stream).toBe('Custom-Pp_CL')
    // The fake refuses a table that uses the reserved name, as the service does.
    const bad = JSON.parse(JSON.stringify(defs.table)) as typeof defs.table
    bad.properties.schema.columns.push({ name: 'Id' })
    ;(bad.properties.schema.columns.at(-1) as { type?: string }).type = 'string'
    expect(() => emu.logsIngestion.deploy({ table: bad, rule: defs.dataCollectionRule })).toThrow(
      /reserved/
    )
  })

  it('pushes the store in parts under the limit, each counted back; a rerun sends nothing', async () => {
    const target = await deploy()
    const first = await runPush(pushArgs(target, 'plain.ndjson'))
    expect(first.code, first.err).toBe(0)
    expect(first.summary.records).toBe(storeIds.length)
    expect(first.summary.sentRecords).toBe(storeIds.length)
    expect(first.summary.parts.sent).toBeGreaterThan(3)
    expect(first.summary.parts.verified).toBe(first.summary.parts.sent)
    const calls = emu.logsIngestion.requests().filter((r) => r.immutableId === target.ruleId)
    expect(calls.every((c) => c.isGzip && c.status === 204)).toBe(true)
    expect([...(await landed(target.table))].sort()).toEqual([...storeIds].sort())

    const again = await runPush(pushArgs(target, 'plain.ndjson'))
    expect(again.code, again.err).toBe(0)
    expect(again.summary.isResumed).toBe(true)
    expect(again.summary.sentRecords).toBe(0)
    expect(again.summary.parts.skipped).toBe(first.summary.parts.sent)
    expect((await landed(target.table)).length).toBe(storeIds.length)
  }, 60_000)

  it('a snapshot pushed again with its journal deleted sends nothing: its run is named by the snapshot, and the workspace holds every part', async () => {
    const target = await deploy()
    const file = join(dir, `push-${target.table}.caxsnap`)
    const made = memoryIo(tmpdir())
    expect(await snapshot(['--store', store, '--out', file], made), made.err()).toBe(0)
    // The same arguments, from the snapshot instead of the store.
    const fromSnapshot = (journal: string): string[] => {
      const args = pushArgs(target, journal)
      const at = args.indexOf('--store')
      args.splice(at, 2, '--snapshot', file)
      return args
    }
    const first = await runPush(fromSnapshot('snap.ndjson'))
    expect(first.code, first.err).toBe(0)
    expect(first.summary.sentRecords).toBe(storeIds.length)
    const parts = first.summary.parts.sent
    expect(parts).toBeGreaterThan(3)

    await rm(join(dir, 'snap.ndjson'))
    const again = await runPush(fromSnapshot('snap.ndjson'))
    expect(again.code, again.err).toBe(0)
    expect(again.summary.isResumed).toBe(false)
    expect(again.err).toMatch(/already has rows of \d+ part\(s\)/)
    expect(again.summary.sentRecords).toBe(0)
    expect(again.summary.parts.foundPresent).toBe(parts)
    expect([...(await landed(target.table))].sort()).toEqual([...storeIds].sort())
  }, 120_000)

  it('pushes with tokens another tool obtained (--access-token-env, --query-token-env), never printing them', async () => {
    const target = await deploy()
    const auth = appAuth(new HttpsClient({ extraCaPem: emu.caCertPem }))
    const ingestToken = (await auth.getScopeToken(logsIngestionScope(CLOUDS.commercial))).token
    const queryToken = (await auth.getResourceToken(CLOUDS.commercial.logAnalyticsResource)).token
    const signIn = ['--client-id', APP_ID, '--certificate', certFile, '--private-key', keyFile]
    const given = pushArgs(target, 'given-tokens.ndjson').filter(
      (_, i, all) => !signIn.includes(all[i] as string)
    )
    const noQueryToken = memoryIo(tmpdir(), { INGEST_TOKEN: ingestToken })
    expect(await push([...given, '--access-token-env', 'INGEST_TOKEN'], noQueryToken)).toBe(2)
    expect(noQueryToken.err()).toContain('--query-token-env is required')

    const io = memoryIo(tmpdir(), { INGEST_TOKEN: ingestToken, QUERY_TOKEN: queryToken })
    const code = await push(
      [...given, '--access-token-env', 'INGEST_TOKEN', '--query-token-env', 'QUERY_TOKEN'],
      io
    )
    expect(code, io.err()).toBe(0)
    const summary = JSON.parse(io.out().trim().split('\n').pop() ?? '{}') as PushSummary
    expect(summary.sentRecords).toBe(storeIds.length)
    expect(summary.parts.verified).toBe(summary.parts.sent)
    expect([...(await landed(target.table))].sort()).toEqual([...storeIds].sort())
    const printed = io.out() + io.err()
    expect(printed).not.toContain(ingestToken)
    expect(printed).not.toContain(queryToken)
  }, 60_000)

  it('after a crash between the 204 and the journal line, counts the part and does not send it again', async () => {
    const target = await deploy()
    const journal = join(dir, 'crash-after.ndjson')
    const first = await runPush(pushArgs(target, 'crash-after.ndjson'))
    expect(first.code, first.err).toBe(0)
    // Cut the journal back to the moment the last part was planned: its 'sent' line (and every
    // verification) never reached the disk, though the service had accepted the part.
    const lines = (await readFile(journal, 'utf8')).trimEnd().split('\n')
    const lastPlanned = lines
      .map((l) => JSON.parse(l) as { kind: string })
      .map((l) => l.kind)
      .lastIndexOf('part')
    await writeFile(journal, `${lines.slice(0, lastPlanned + 1).join('\n')}\n{"kind":"sent","ta`)
    const second = await runPush(pushArgs(target, 'crash-after.ndjson'))
    expect(second.code, second.err).toBe(0)
    expect(second.summary.parts.foundPresent).toBe(1)
    expect(second.summary.sentRecords).toBe(0)
    const ids = await landed(target.table)
    expect(ids.length).toBe(storeIds.length)
    expect(new Set(ids).size).toBe(ids.length)
  }, 60_000)

  it('after a stop mid-push (a part planned, refused), the rerun sends exactly what is missing', async () => {
    const target = await deploy()
    // The fourth call is refused (403): the push stops with that part planned, not sent.
    emu.logsIngestion.failNext([{ status: 403, after: 3 }])
    const first = await runPush(pushArgs(target, 'stop.ndjson'))
    expect(first.code, first.err).toBe(4)
    expect(first.err).toMatch(/OperationFailed/)
    const before = await landed(target.table)
    expect(before.length).toBeGreaterThan(0)
    expect(before.length).toBeLessThan(storeIds.length)
    const kinds = async (): Promise<string[]> =>
      (await readFile(join(dir, 'stop.ndjson'), 'utf8'))
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { kind: string }).kind)
    expect(await kinds()).not.toContain('complete')

    const second = await runPush(pushArgs(target, 'stop.ndjson'))
    expect(second.code, second.err).toBe(0)
    expect(second.summary.parts.resent).toBe(1)
    expect(second.summary.sentRecords).toBe(storeIds.length - before.length)
    const ids = await landed(target.table)
    expect([...ids].sort()).toEqual([...storeIds].sort())
    // Every part counted back: the journal stays, marked complete (once, even after a rerun).
    expect((await kinds()).at(-1)).toBe('complete')
    expect((await runPush(pushArgs(target, 'stop.ndjson'))).summary.sentRecords).toBe(0)
    expect((await kinds()).filter((k) => k === 'complete')).toHaveLength(1)
  }, 60_000)

  it('splits a part the service refuses with 413 and still lands every record once', async () => {
    const target = await deploy()
    emu.logsIngestion.setLimits({ maxBodyBytes: 120_000 })
    const result = await runPush(pushArgs(target, 'split.ndjson'))
    expect(result.code, result.err).toBe(0)
    expect(result.summary.parts.split).toBeGreaterThan(0)
    expect(
      emu.logsIngestion.requests().some((r) => r.immutableId === target.ruleId && r.status === 413)
    ).toBe(true)
    const ids = await landed(target.table)
    expect([...ids].sort()).toEqual([...storeIds].sort())
  }, 60_000)

  it('killed with SIGKILL mid-push, a rerun lands every record exactly once', async () => {
    ensureBuiltCli([
      'src/cli',
      'src/main/services/destinations',
      'src/main/services/store',
      'src/main/services/audit-api',
      'src/main/services/sources'
    ])
    const target = await deploy()
    const journal = join(dir, 'sigkill.ndjson')
    // Small parts: many calls, so the kill lands in the middle of the push.
    const args = [CLI, 'push', ...pushArgs(target, 'sigkill.ndjson', ['--max-part-bytes', '20000'])]
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let err = ''
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    const exit = new Promise<string | null>((done) =>
      child.on('exit', (_code, signal) => done(signal))
    )
    let isKilled = false
    while (!isKilled && child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 10))
      const sent =
        (await readFile(journal, 'utf8').catch(() => '')).split('"kind":"sent"').length - 1
      if (sent >= 5) {
        child.kill('SIGKILL')
        isKilled = true
      }
    }
    expect(isKilled, `the push ended before it could be killed: ${err.slice(-500)}`).toBe(true)
    expect(await exit).toBe('SIGKILL')
    const before = await landed(target.table)
    expect(before.length).toBeLessThan(storeIds.length)

    const second = await runPush(pushArgs(target, 'sigkill.ndjson', ['--max-part-bytes', '20000']))
    expect(second.code, second.err).toBe(0)
    expect(second.summary.isResumed).toBe(true)
    expect(
      second.summary.parts.skipped + second.summary.parts.sent + second.summary.parts.foundPresent
    ).toBeGreaterThan(0)
    const ids = await landed(target.table)
    expect(ids.length).toBe(storeIds.length)
    expect([...ids].sort()).toEqual([...storeIds].sort())
  }, 300_000)

  it('waits out a 429 for the time Retry-After asks, then goes on', async () => {
    const target = await deploy()
    emu.logsIngestion.failNext([{ status: 429, retryAfterSeconds: 1, after: 1 }])
    const result = await runPush(pushArgs(target, 'throttle.ndjson'))
    expect(result.code, result.err).toBe(0)
    expect(result.summary.throttled).toBe(1)
    expect(result.err).toMatch(/throttled \(429\): waiting 1 s/)
    const ids = await landed(target.table)
    expect(ids.length).toBe(storeIds.length)
  }, 60_000)
})
