import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { KUSTO_DEFAULT_DATABASE, type Emulator } from '../../../emulator'
import { coverage } from '../../../shared/acquisition'
import type { Profile } from '../../../shared/profiles'
import { checkConnection } from '../auth/connection-check'
import type { EmulatorAuthRig } from '../auth/emulator-auth-rig'

import type { JobFinish } from './acquire-service'
import { claims, startSignedInProfile, syncRunner, type SignedInProfile } from './sync-test-kit'

const NOW = new Date('2026-06-01T00:00:00Z')
const SINCE = new Date('2026-05-20T00:00:00Z')
const UNTIL = new Date('2026-05-23T00:00:00Z')
const TABLE = 'ConnectorHistory'

describe('an Azure Data Explorer profile in the app: sign-in, Test connection and Sync', () => {
  let kit: SignedInProfile | undefined
  let emu: Emulator
  let rig: EmulatorAuthRig
  let profile: Profile

  beforeAll(async () => {
    kit = await startSignedInProfile({
      eventsPerDay: 500,
      now: NOW,
      tmpPrefix: 'cax-adx-sync-',
      prepare: (emu) => emu.kusto.seedTable(KUSTO_DEFAULT_DATABASE, TABLE, SINCE, UNTIL),
      profile: (emu) => ({
        kind: 'adx',
        adx: { cluster: emu.urls.kustoClusterUrl, database: KUSTO_DEFAULT_DATABASE, table: TABLE },
        displayName: 'Contoso history',
        tenant: emu.tenantId,
        clientId: emu.clientId,
        cloud: 'commercial',
        signInMode: 'interactive'
      }),
      // Main's placement, as for the demo: the emulator's cluster is not a Microsoft host.
      placement: (emu) => ({ endpoints: emu.urls, isDemo: true })
    })
    emu = kit.emu
    rig = kit.rig
    profile = kit.profile
  })

  afterAll(async () => {
    await kit?.close()
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
    const { sink, sync } = syncRunner(rig)
    const run = (): Promise<JobFinish> => sync(profile.id, SINCE, UNTIL)
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
