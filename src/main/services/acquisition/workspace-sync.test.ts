import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import type { Emulator } from '../../../emulator'
import { coverage } from '../../../shared/acquisition'
import { DEFAULT_WORKSPACE_TABLES } from '../../../shared/profiles'
import type { Profile } from '../../../shared/profiles'
import { checkConnection } from '../auth/connection-check'
import type { EmulatorAuthRig } from '../auth/emulator-auth-rig'

import { claims, startSignedInProfile, syncRunner, type SignedInProfile } from './sync-test-kit'

const NOW = new Date('2026-06-01T00:00:00Z')
const SINCE = new Date('2026-05-25T00:00:00Z')
const UNTIL = new Date('2026-05-28T00:00:00Z')

describe('a workspace profile in the app: sign-in, Test connection and Sync', () => {
  let kit: SignedInProfile | undefined
  let emu: Emulator
  let rig: EmulatorAuthRig
  let profile: Profile

  beforeAll(async () => {
    kit = await startSignedInProfile({
      eventsPerDay: 600,
      now: NOW,
      tmpPrefix: 'cax-workspace-sync-',
      profile: (emu) => ({
        kind: 'workspace',
        workspace: {
          workspaceId: emu.workspaceId,
          tables: [...DEFAULT_WORKSPACE_TABLES, 'OfficeActivity']
        },
        displayName: 'Contoso Sentinel',
        tenant: emu.tenantId,
        clientId: emu.clientId,
        cloud: 'commercial',
        signInMode: 'interactive'
      }),
      placement: (emu) => ({ endpoints: emu.urls })
    })
    emu = kit.emu
    rig = kit.rig
    profile = kit.profile
  })

  afterAll(async () => {
    await kit?.close()
  })

  it('signs in asking for the Log Analytics scope, and the token goes only to the workspace API', async () => {
    const scope = emu.entra.lastAuthorizeRequest()?.get('scope') ?? ''
    expect(scope).toContain('https://api.loganalytics.io/Data.Read')
    expect(scope).not.toContain('ActivityFeed.Read')
    const token = await rig.auth.getAccessToken(profile.id, 'loganalytics')
    expect(claims(token.token).aud).toBe('https://api.loganalytics.io')
    expect(String(claims(token.token).scp)).toContain('Data.Read')
  })

  it('tests the connection by reading each table’s schema', async () => {
    const check = await checkConnection(profile, { auth: rig.auth, http: rig.http, now: () => NOW })
    expect(check.steps.map((s) => [s.name, s.ok])).toEqual([
      ['Sign-in', true],
      ...[...DEFAULT_WORKSPACE_TABLES, 'OfficeActivity'].map((t) => [`Workspace table ${t}`, true])
    ])
    expect(check.steps.at(-1)?.detail).toContain('OfficeId')
  })

  it('syncs the tables into the window’s cache once per UAL Id, with workspace coverage', async () => {
    const { sink, sync } = syncRunner(rig)
    const before = emu.logAnalytics.requests().length
    const finish = await sync(profile.id, SINCE, UNTIL)
    expect(finish.error).toBeNull()
    expect(finish.status).toBe('complete')
    const truth = new Set(
      [...DEFAULT_WORKSPACE_TABLES, 'OfficeActivity'].flatMap((t) => [
        ...emu.logAnalytics.groundTruth(t, SINCE, UNTIL)
      ])
    )
    const ids = [...sink.records.keys()]
    expect(ids.length).toBe(truth.size)
    expect(new Set(ids)).toEqual(truth)
    // OfficeActivity repeats admin and flow records: counted as duplicates, not stored twice.
    expect(finish.result?.duplicates).toBeGreaterThan(0)
    expect(finish.result?.new).toBe(truth.size)
    const hours = coverage(
      await sink.loadLedger(),
      { start: SINCE, end: UNTIL, source: 'workspace' },
      NOW
    )
    expect(hours).toHaveLength(3 * 24)
    expect(hours.filter((h) => h.status !== 'complete')).toEqual([])
    // Every query went to the workspace API with a token; none to the Management API.
    const sent = emu.logAnalytics.requests().slice(before)
    expect(sent.length).toBeGreaterThan(0)
    expect(sent.every((r) => r.hadAuthorization && r.status === 200)).toBe(true)
    expect(emu.requestLog().length).toBe(0)
  })
})
