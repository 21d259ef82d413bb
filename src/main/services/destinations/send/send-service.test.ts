import { mkdtemp, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { startEmulator } from '../../../../emulator'
import type { Emulator } from '../../../../emulator'
import type { NormalizedRecord } from '../../../../shared/audit'
import type { Destination, SendProgress, SendSummary } from '../../../../shared/destinations'
import { AppError } from '../../../../shared/errors'
import { testRecord } from '../../../../shared/export/test-records'
import { HttpsClient } from '../../http/https-client'
import { MemoryLogger } from '../../logging/logger'
import { ProfilesService } from '../../profiles/profiles-service'
import { DestinationsService } from '../destinations-service'
import { ruleDefinition, tableDefinition } from '../log-analytics/table-definition'

import { SendService } from './send-service'

const APP_ID = '7d6c5b4a-2222-4333-8444-955566667777'
const SECRET = 'send-secret'
const DB = 'AuditHistory'

function records(prefix: string, n: number): NormalizedRecord[] {
  return Array.from({ length: n }, (_, i) =>
    testRecord(
      `${prefix}-${String(i).padStart(4, '0')}`,
      {},
      `2026-05-19T13:${String(i % 60).padStart(2, '0')}:00`
    )
  )
}

describe('Send to… (the app side) against the fake Azure Data Explorer cluster over HTTPS', () => {
  let emu: Emulator
  let dir: string
  let profiles: ProfilesService
  let destinations: DestinationsService
  let http: HttpsClient
  let profileId: string
  const scopes: string[] = []
  const progress: SendProgress[] = []
  let onProgress: (p: SendProgress) => void = () => undefined

  beforeAll(async () => {
    emu = await startEmulator({ now: new Date('2026-05-20T00:00:00Z') })
    emu.entra.setClientSecret(APP_ID, SECRET)
    dir = await mkdtemp(join(tmpdir(), 'cax-send-'))
    const log = new MemoryLogger()
    http = new HttpsClient({ extraCaPem: emu.caCertPem })
    profiles = new ProfilesService({ dataDir: dir, log })
    destinations = new DestinationsService({ dataDir: dir, log, profiles })
    profileId = (
      await profiles.save({
        displayName: 'Contoso',
        tenant: emu.tenantId,
        clientId: emu.clientId,
        cloud: 'commercial',
        signInMode: 'interactive'
      })
    ).id
  }, 60_000)

  afterAll(async () => {
    await emu?.close()
    await rm(dir, { recursive: true, force: true })
  })

  /** App-only tokens from the fake IdP for the resource of the scope the send asks for. */
  async function token(_profile: string, scope: string): Promise<string> {
    scopes.push(scope)
    const resource = scope.slice(0, scope.lastIndexOf('/'))
    const res = await http.send({
      method: 'POST',
      url: `${emu.urls.authorityHost}/${emu.tenantId}/oauth2/v2.0/token`,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: APP_ID,
        client_secret: SECRET,
        scope: `${resource}/.default`
      }).toString()
    })
    return (JSON.parse(res.text) as { access_token: string }).access_token
  }

  function service(
    overrides: Partial<ConstructorParameters<typeof SendService>[0]> = {}
  ): SendService {
    return new SendService({
      log: new MemoryLogger(),
      appVersion: 'test',
      dir: join(dir, 'sends'),
      destinations,
      profiles,
      http,
      token,
      onProgress: (p) => {
        progress.push(p)
        onProgress(p)
      },
      tuning: { sleep: async () => undefined, maxPartRecords: 50 },
      ...overrides
    })
  }

  /** A Log Analytics destination on a table and rule deployed in the emulator's Logs Ingestion fake. */
  async function logAnalyticsDestination(
    table: string,
    displayName: string
  ): Promise<Destination & { kind: 'loganalytics' }> {
    const deployed = emu.logsIngestion.deploy({
      table: tableDefinition(table),
      rule: ruleDefinition({
        table,
        workspaceResourceId: `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/contoso`,
        location: 'westeurope'
      })
    })
    const saved = await destinations.save(
      {
        kind: 'loganalytics',
        displayName,
        profileId,
        loganalytics: {
          endpoint: deployed.endpoint,
          ruleId: deployed.immutableId,
          table,
          workspaceId: emu.workspaceId
        }
      },
      { isDemo: true, logAnalyticsBase: emu.urls.logAnalyticsBase }
    )
    if (saved.kind !== 'loganalytics') {
      throw new Error('saved as another kind')
    }
    return saved
  }

  async function adxDestination(table: string): Promise<Destination> {
    // The emulator's cluster is set as main sets the demo's (placement), like the demo.
    return destinations.save(
      {
        kind: 'adx',
        displayName: `Test ${table}`,
        profileId,
        adx: { cluster: emu.urls.kustoClusterUrl, database: DB, table }
      },
      { isDemo: true }
    )
  }

  async function send(
    sends: SendService,
    destination: Destination,
    batch: NormalizedRecord[]
  ): Promise<SendSummary> {
    const { sendId } = await sends.begin({ destinationId: destination.id, scope: 'view' })
    for (let i = 0; i < batch.length; i += 100) {
      await sends.append(sendId, batch.slice(i, i + 100))
    }
    return sends.finish(sendId)
  }

  it('sends the records in counted parts, then finds them all there on a second send', async () => {
    const destination = await adxDestination('SendOnce')
    const batch = records('once', 230)
    progress.length = 0
    const first = await send(service(), destination, batch)
    expect(first).toMatchObject({
      status: 'complete',
      records: 230,
      parts: 5,
      sentRecords: 230,
      sentParts: 5,
      alreadyThereRecords: 0,
      failedRecords: 0,
      isResumed: false
    })
    expect(first.fingerprint).toMatch(/^[0-9a-f]{64}$/)
    expect(emu.kusto.rowCount(DB, 'SendOnce')).toBe(230)
    expect(emu.kusto.groundTruth(DB, 'SendOnce', new Date(0), new Date('2100-01-01'))).toEqual(
      new Set(batch.map((r) => r.id))
    )
    expect(progress.at(-1)).toMatchObject({ phase: 'pushing', recordsDone: 230, partsDone: 5 })
    // Tokens were asked for the cluster only; the snapshot is gone, the journal stays.
    expect(new Set(scopes)).toEqual(
      new Set([`${new URL(emu.urls.kustoClusterUrl).origin}/user_impersonation`])
    )
    const left = await readdir(join(dir, 'sends'))
    expect(left.filter((f) => f.endsWith('.caxsnap'))).toEqual([])
    expect(await readdir(join(dir, 'sends', 'journals'))).toHaveLength(1)

    const again = await send(service(), destination, batch)
    expect(again).toMatchObject({
      status: 'complete',
      sentRecords: 0,
      alreadyThereRecords: 230,
      alreadyThereParts: 5,
      failedRecords: 0,
      isResumed: true
    })
    expect(emu.kusto.rowCount(DB, 'SendOnce')).toBe(230)
  }, 120_000)

  it('a journal scope (the demo emulator started anew) gives the same records a new journal, and the cluster is asked what it holds', async () => {
    const destination = await adxDestination('SendScoped')
    const batch = records('scoped', 120)
    const journals = async (): Promise<string[]> =>
      (await readdir(join(dir, 'sends', 'journals'))).filter((f) =>
        f.startsWith(`${destination.id}-`)
      )
    const first = await send(service({ journalScope: () => 'instance-1' }), destination, batch)
    expect(first).toMatchObject({ status: 'complete', sentRecords: 120, isResumed: false })
    expect(await journals()).toHaveLength(1)
    // The same scope finds its journal; another scope starts a journal of its own, which does
    // not take "already there" from the first: the cluster's own extent tags say it.
    const same = await send(service({ journalScope: () => 'instance-1' }), destination, batch)
    expect(same).toMatchObject({ status: 'complete', sentRecords: 0, isResumed: true })
    const other = await send(service({ journalScope: () => 'instance-2' }), destination, batch)
    expect(other).toMatchObject({
      status: 'complete',
      sentRecords: 0,
      alreadyThereRecords: 120,
      isResumed: false
    })
    expect(await journals()).toHaveLength(2)
    expect(emu.kusto.rowCount(DB, 'SendScoped')).toBe(120)
    // No scope: the journal named by the target alone, as before scopes existed.
    const unscoped = await send(service(), destination, batch)
    expect(unscoped.isResumed).toBe(false)
    expect(await journals()).toHaveLength(3)
    expect(emu.kusto.rowCount(DB, 'SendScoped')).toBe(120)
  }, 120_000)

  it('a cancelled send stops, and sending the same records again resumes with nothing doubled', async () => {
    const destination = await adxDestination('SendResume')
    const batch = records('resume', 300)
    const sends = service()
    const { sendId } = await sends.begin({ destinationId: destination.id, scope: 'cache' })
    for (let i = 0; i < batch.length; i += 100) {
      await sends.append(sendId, batch.slice(i, i + 100))
    }
    onProgress = (p) => {
      if (p.sendId === sendId && p.partsDone >= 2) {
        void sends.cancel(sendId)
      }
    }
    const stopped = await sends.finish(sendId).catch((error: unknown) => error)
    onProgress = () => undefined
    expect(stopped).toBeInstanceOf(AppError)
    expect((stopped as AppError).code).toBe('send/cancelled')
    const landed = emu.kusto.rowCount(DB, 'SendResume')
    expect(landed).toBeGreaterThanOrEqual(100)
    expect(landed).toBeLessThan(300)

    const resumed = await send(service(), destination, batch)
    expect(resumed.status).toBe('complete')
    expect(resumed.isResumed).toBe(true)
    expect(resumed.alreadyThereRecords).toBe(landed)
    expect(resumed.sentRecords).toBe(300 - landed)
    expect(emu.kusto.rowCount(DB, 'SendResume')).toBe(300)
    expect(emu.kusto.groundTruth(DB, 'SendResume', new Date(0), new Date('2100-01-01')).size).toBe(
      300
    )
  }, 120_000)

  it('waits out a 429 from the cluster and still verifies every part', async () => {
    const destination = await adxDestination('SendThrottled')
    emu.kusto.failNext([{ on: 'ingest', status: 429, retryAfterSeconds: 3 }])
    const summary = await send(service(), destination, records('throttled', 120))
    expect(summary).toMatchObject({ status: 'complete', sentRecords: 120, failedRecords: 0 })
    expect(summary.throttled).toBeGreaterThanOrEqual(1)
    expect(emu.kusto.rowCount(DB, 'SendThrottled')).toBe(120)
  }, 120_000)

  it('reports a refusal by the cluster clearly and sends nothing', async () => {
    const destination = await adxDestination('SendRefused')
    emu.kusto.setRole(`aadapp=${APP_ID}`, 'none')
    try {
      const error = await send(service(), destination, records('refused', 10)).catch(
        (e: unknown) => e
      )
      expect(error).toBeInstanceOf(AppError)
      expect((error as AppError).code).toBe('send/failed')
      expect((error as AppError).message).toMatch(/refused the connection's account \(403/)
      expect(emu.kusto.rowCount(DB, 'SendRefused')).toBe(0)
    } finally {
      emu.kusto.setRole(`aadapp=${APP_ID}`, 'admin')
    }
  }, 60_000)

  it('sends to Log Analytics through a data collection rule, waits out a 429, and finds the rows there when sent again', async () => {
    const destination = await logAnalyticsDestination('SendTest_CL', 'Test Sentinel')
    const sends = (): SendService =>
      service({
        onProgress: () => undefined,
        tuning: { sleep: async () => undefined, latencyMs: 0, pollMs: 1, maxPartBytes: 60_000 }
      })
    const batch = records('la', 150)
    emu.logsIngestion.failNext([{ status: 429, retryAfterSeconds: 2 }])
    scopes.length = 0
    const first = await send(sends(), destination, batch)
    expect(first).toMatchObject({
      status: 'complete',
      records: 150,
      sentRecords: 150,
      alreadyThereRecords: 0,
      failedRecords: 0,
      throttled: 1
    })
    expect(first.parts).toBeGreaterThan(1)
    // The rule's token and the count-back token: Logs Ingestion and the Log Analytics API only.
    expect(
      new Set(scopes.map((s) => new URL(s.replace('//.default', '/.default')).origin))
    ).toEqual(new Set(['https://monitor.azure.com', 'https://api.loganalytics.io']))
    const again = await send(sends(), destination, batch)
    expect(again).toMatchObject({
      status: 'complete',
      sentRecords: 0,
      alreadyThereRecords: 150,
      failedRecords: 0,
      isResumed: true
    })
    const counted = emu.logsIngestion
      .requests()
      .filter((r) => r.status === 204)
      .reduce((n, r) => n + r.rows, 0)
    expect(counted).toBe(150)
  }, 120_000)

  it('a cancelled Log Analytics send resumes with every part counted once in the summary and every record landed once', async () => {
    const destination = await logAnalyticsDestination('SendCancel_CL', 'Cancel Sentinel')
    const sends = (): SendService =>
      service({
        onProgress: (p) => onProgress(p),
        tuning: { sleep: async () => undefined, latencyMs: 0, pollMs: 1, maxPartBytes: 30_000 }
      })
    const batch = records('la-cancel', 200)
    const first = sends()
    const { sendId } = await first.begin({ destinationId: destination.id, scope: 'view' })
    await first.append(sendId, batch)
    onProgress = (p) => {
      if (p.sendId === sendId && p.partsDone >= 2) {
        void first.cancel(sendId)
      }
    }
    const stopped = await first.finish(sendId).catch((error: unknown) => error)
    onProgress = () => undefined
    expect((stopped as AppError).code).toBe('send/cancelled')
    const accepted = (): Array<{ rows: number }> =>
      emu.logsIngestion
        .requests()
        .filter((r) => r.immutableId === destination.loganalytics.ruleId && r.status === 204)
    const before = accepted()
    expect(before.length).toBeGreaterThanOrEqual(2)

    const resumed = await send(sends(), destination, batch)
    expect(resumed).toMatchObject({ status: 'complete', records: 200, failedRecords: 0 })
    expect(resumed.sentRecords + resumed.alreadyThereRecords).toBe(200)
    // Every part once: sent in this run (a part sent again after the cancel among them) or
    // already there — the summary's parts add up to the parts the send was cut into.
    expect(resumed.sentParts + resumed.alreadyThereParts).toBe(resumed.parts)
    expect(resumed.sentParts).toBe(accepted().length - before.length)
    expect(accepted().reduce((n, r) => n + r.rows, 0)).toBe(200)
  }, 120_000)

  it('keeps a complete journal as the record of what was sent, prunes it after the retention, and a resend after that still sends nothing', async () => {
    const la = await logAnalyticsDestination('SendPrune_CL', 'Prune Sentinel')
    const adx = await adxDestination('SendPrune')
    const at = (days: number): Date => new Date(Date.now() + days * 86_400_000)
    const sends = (now: Date): SendService =>
      service({
        onProgress: () => undefined,
        now: () => now,
        journalRetentionDays: 30,
        tuning: {
          sleep: async () => undefined,
          latencyMs: 0,
          pollMs: 1,
          maxPartBytes: 60_000,
          maxPartRecords: 50
        }
      })
    const laRows = (): number =>
      emu.logsIngestion
        .requests()
        .filter((r) => r.immutableId === la.loganalytics.ruleId && r.status === 204)
        .reduce((n, r) => n + r.rows, 0)
    const batch = records('prune', 150)
    expect(await send(sends(at(0)), la, batch)).toMatchObject({
      status: 'complete',
      sentRecords: 150
    })
    expect(await send(sends(at(0)), adx, batch)).toMatchObject({
      status: 'complete',
      sentRecords: 150
    })
    const journals = join(dir, 'sends', 'journals')
    const own = async (id: string): Promise<string> => {
      const [name] = (await readdir(journals)).filter((f) => f.startsWith(`${id}-`))
      return name ?? ''
    }
    const laJournal = await own(la.id)
    const adxJournal = await own(adx.id)
    // Each ends with its `complete` line: the record of what was sent.
    for (const name of [laJournal, adxJournal]) {
      const last = (await readFile(join(journals, name), 'utf8')).trim().split('\n').pop() ?? ''
      expect(JSON.parse(last)).toMatchObject({ kind: 'complete', records: 150 })
    }
    // An unfinished journal of a live destination stays whatever its age; a deleted
    // destination's goes once it is older than the retention, not before.
    const unfinished = `${adx.id}-${'a'.repeat(32)}.journal.ndjson`
    const goneOld = `gone-destination-${'b'.repeat(32)}.journal.ndjson`
    const goneRecent = `gone-destination-${'c'.repeat(32)}.journal.ndjson`
    for (const name of [unfinished, goneOld, goneRecent]) {
      await writeFile(join(journals, name), '')
    }
    const old = at(-40)
    await utimes(join(journals, unfinished), old, old)
    await utimes(join(journals, goneOld), old, old)
    await utimes(join(journals, goneRecent), at(25), at(25))

    const early = await sends(at(29)).pruneJournals()
    expect(early).not.toContain(laJournal)
    expect(early).not.toContain(adxJournal)
    expect(early).toContain(goneOld)
    const late = await sends(at(31)).pruneJournals()
    expect(late).toEqual(expect.arrayContaining([laJournal, adxJournal]))
    const left = await readdir(journals)
    expect(left).toEqual(expect.arrayContaining([unfinished, goneRecent]))
    expect(left).not.toContain(laJournal)
    expect(left).not.toContain(adxJournal)

    // The same records sent again with no journal: every part is found there, none sent.
    const laAgain = await send(sends(at(31)), la, batch)
    expect(laAgain).toMatchObject({
      status: 'complete',
      sentRecords: 0,
      alreadyThereRecords: 150,
      failedRecords: 0,
      isResumed: false
    })
    expect(laRows()).toBe(150)
    const adxAgain = await send(sends(at(31)), adx, batch)
    expect(adxAgain).toMatchObject({ status: 'complete', sentRecords: 0, alreadyThereRecords: 150 })
    expect(emu.kusto.rowCount(DB, 'SendPrune')).toBe(150)
  }, 120_000)

  it('refuses a destination the UI names on a host that is not Microsoft’s for the cloud', async () => {
    const saved = destinations.save({
      kind: 'adx',
      displayName: 'Elsewhere',
      profileId,
      adx: { cluster: 'https://kusto.evil.example', database: DB, table: 'T' }
    })
    await expect(saved).rejects.toMatchObject({ code: 'destinations/invalid' })
    // A GCC High cluster for a Commercial connection is refused too; a real cluster is kept.
    await expect(
      destinations.save({
        kind: 'adx',
        displayName: 'Other cloud',
        profileId,
        adx: {
          cluster: 'https://c.usgovvirginia.kusto.usgovcloudapi.net',
          database: DB,
          table: 'T'
        }
      })
    ).rejects.toMatchObject({ code: 'destinations/invalid' })
    const ok = await destinations.save({
      kind: 'adx',
      displayName: 'Real',
      profileId,
      adx: { cluster: 'https://c.westeurope.kusto.windows.net/', database: DB, table: 'T' }
    })
    expect(ok.kind === 'adx' && ok.adx.cluster).toBe('https://c.westeurope.kusto.windows.net')
    expect(ok.isDemo).toBeUndefined()
    // The UI cannot smuggle the demo placement in.
    const smuggled = await destinations.save({
      kind: 'adx',
      displayName: 'Smuggled',
      profileId,
      adx: { cluster: 'https://c.westeurope.kusto.windows.net', database: DB, table: 'T' },
      isDemo: true
    } as never)
    expect(smuggled.isDemo).toBeUndefined()
  })

  it('an edit from the UI keeps a demo destination demo when only its name changes, and refuses a new target; a delete removes it', async () => {
    const demo = await adxDestination('EditDemo')
    const { id: _id, isDemo: _isDemo, ...input } = demo
    const renamed = await destinations.save({ ...input, id: demo.id, displayName: 'Renamed' })
    expect(renamed).toMatchObject({ id: demo.id, displayName: 'Renamed', isDemo: true })
    // Its cluster is the emulator's, which the UI may not name: a new table is refused, and
    // nothing changes.
    if (input.kind !== 'adx') {
      throw new Error('expected an ADX destination')
    }
    await expect(
      destinations.save({ ...input, id: demo.id, adx: { ...input.adx, table: 'Elsewhere' } })
    ).rejects.toMatchObject({ code: 'destinations/invalid' })
    expect(await destinations.get(demo.id)).toEqual(renamed)
    expect(await destinations.delete(demo.id)).toBe(true)
    expect((await destinations.list()).some((d) => d.id === demo.id)).toBe(false)
    expect(await destinations.delete(demo.id)).toBe(false)
  })
})
