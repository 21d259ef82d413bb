import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { KUSTO_DEFAULT_DATABASE, SCENARIOS, startEmulator, type Emulator } from '../../../emulator'
import { coverage } from '../../../shared/acquisition'
import type { Profile } from '../../../shared/profiles'
import { checkConnection } from '../auth/connection-check'
import { emulatorAuthRig, type EmulatorAuthRig } from '../auth/emulator-auth-rig'

import { AcquireService, type JobFinish } from './acquire-service'
import { MemorySink } from './memory-sink'

const NOW = new Date('2026-06-01T00:00:00Z')
const SINCE = new Date('2026-05-20T00:00:00Z')
const UNTIL = new Date('2026-05-23T00:00:00Z')
const TABLE = 'ConnectorHistory'

function claims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<
    string,
    unknown
  >
}

describe('an Azure Data Explorer profile in the app: sign-in, Test connection and Sync', () => {
  let emu: Emulator
  let dir: string
  let rig: EmulatorAuthRig
  let profile: Profile

  beforeAll(async () => {
    emu = await startEmulator({
      scenario: {
        ...SCENARIOS.clean,
        generator: { ...SCENARIOS.clean.generator, eventsPerDay: 500 }
      },
      seed: 23,
      now: NOW
    })
    emu.entra.setAccessTokenLifetime(30 * 86_400)
    emu.kusto.seedTable(KUSTO_DEFAULT_DATABASE, TABLE, SINCE, UNTIL)
    dir = await mkdtemp(join(tmpdir(), 'cax-adx-sync-'))
    rig = emulatorAuthRig(emu, dir)
    const saved = await rig.profiles.save(
      {
        kind: 'adx',
        adx: { cluster: emu.urls.kustoClusterUrl, database: KUSTO_DEFAULT_DATABASE, table: TABLE },
        displayName: 'Contoso history',
        tenant: emu.tenantId,
        clientId: emu.clientId,
        cloud: 'commercial',
        signInMode: 'interactive'
      },
      // Main's placement, as for the demo: the emulator's cluster is not a Microsoft host.
      { endpoints: emu.urls, isDemo: true }
    )
    await rig.auth.signIn(saved.id)
    profile = await rig.profiles.get(saved.id)
  })

  afterAll(async () => {
    await emu?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('signs in asking for the cluster only, and its token is for the cluster', async () => {
    const origin = new URL(emu.urls.kustoClusterUrl).origin
    const scope = emu.entra.lastAuthorizeRequest()?.get('scope') ?? ''
    expect(scope).toContain(`${origin}/user_impersonation`)
    expect(scope).not.toContain('ActivityFeed.Read')
    const token = await rig.auth.getScopeToken(profile.id, `${origin}/user_impersonation`)
    expect(claims(token.token).aud).toBe(origin)
  })

  it('tests the connection by reading the table’s schema', async () => {
    const check = await checkConnection(profile, { auth: rig.auth, http: rig.http, now: () => NOW })
    expect(check.steps.map((s) => [s.name, s.ok])).toEqual([
      ['Sign-in', true],
      [`Table ${KUSTO_DEFAULT_DATABASE}.${TABLE}`, true]
    ])
    expect(check.steps.at(-1)?.detail).toContain('the UAL Id is in Id')
  })

  it('syncs the table into the window’s cache once per UAL Id, with ADX coverage', async () => {
    const sink = new MemorySink()
    const finishes: JobFinish[] = []
    const acks: { service?: AcquireService } = {}
    const service = new AcquireService({
      profiles: rig.profiles,
      auth: rig.auth,
      http: rig.http,
      log: rig.log,
      onBatch: (push) => {
        void sink
          .commit({ records: push.records, ledger: push.ledger })
          .then((outcome) => acks.service?.ack(push.jobId, push.batchId, { ok: true, ...outcome }))
      },
      onProgress: () => undefined,
      onFinish: (finish) => finishes.push(finish)
    })
    acks.service = service
    const run = async (): Promise<JobFinish> => {
      const count = finishes.length
      await service.start({
        profileId: profile.id,
        clientId: 'window',
        since: SINCE,
        until: UNTIL,
        history: false,
        allRecords: false,
        ledger: await sink.loadLedger()
      })
      return new Promise<JobFinish>((resolve) => {
        const poll = (): void => {
          const last = finishes[count]
          if (last) {
            resolve(last)
          } else {
            setTimeout(poll, 20)
          }
        }
        poll()
      })
    }
    const finish = await run()
    expect(finish.error).toBeNull()
    expect(finish.status).toBe('complete')
    const truth = emu.kusto.groundTruth(KUSTO_DEFAULT_DATABASE, TABLE, SINCE, UNTIL)
    expect(truth.size).toBeGreaterThan(1000)
    expect(new Set(sink.records.keys())).toEqual(truth)
    expect(finish.result?.new).toBe(truth.size)
    const hours = coverage(
      await sink.loadLedger(),
      { start: SINCE, end: UNTIL, source: 'adx' },
      NOW
    )
    expect(hours).toHaveLength(3 * 24)
    expect(hours.filter((h) => h.status !== 'complete')).toEqual([])
    // A second sync of the same range reads nothing again: the ledger has every window.
    const again = await run()
    expect(again.status).toBe('complete')
    expect(again.result?.new ?? 0).toBe(0)
    expect(sink.records.size).toBe(truth.size)
  })

  it('refuses, from the UI, a cluster that is not a Microsoft host of the cloud', async () => {
    await expect(
      rig.profiles.save({
        kind: 'adx',
        adx: { cluster: 'https://kusto.evil.example', database: 'Db', table: 'T' },
        displayName: 'Elsewhere',
        tenant: emu.tenantId,
        clientId: emu.clientId,
        cloud: 'commercial',
        signInMode: 'interactive'
      })
    ).rejects.toMatchObject({ code: 'profiles/invalid' })
    // Editing the demo-placed profile to another cluster is refused the same way.
    await expect(
      rig.profiles.save({
        id: profile.id,
        kind: 'adx',
        adx: { cluster: 'https://127.0.0.1:1/kusto', database: 'Db', table: 'T' },
        displayName: 'Moved',
        tenant: emu.tenantId,
        clientId: emu.clientId,
        cloud: 'commercial',
        signInMode: 'interactive'
      })
    ).rejects.toMatchObject({ code: 'profiles/invalid' })
  })
})
