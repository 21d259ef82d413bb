import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { SCENARIOS, startEmulator, type Emulator } from '../../../emulator'
import { coverage, emptyLedger } from '../../../shared/acquisition'
import { DEFAULT_WORKSPACE_TABLES } from '../../../shared/profiles'
import type { Profile } from '../../../shared/profiles'
import { checkConnection } from '../auth/connection-check'
import { emulatorAuthRig, type EmulatorAuthRig } from '../auth/emulator-auth-rig'

import { AcquireService, type JobFinish } from './acquire-service'
import { MemorySink } from './memory-sink'

const NOW = new Date('2026-06-01T00:00:00Z')
const SINCE = new Date('2026-05-25T00:00:00Z')
const UNTIL = new Date('2026-05-28T00:00:00Z')

function claims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<
    string,
    unknown
  >
}

describe('a workspace profile in the app: sign-in, Test connection and Sync', () => {
  let emu: Emulator
  let dir: string
  let rig: EmulatorAuthRig
  let profile: Profile

  beforeAll(async () => {
    emu = await startEmulator({
      scenario: {
        ...SCENARIOS.clean,
        generator: { ...SCENARIOS.clean.generator, eventsPerDay: 600 }
      },
      seed: 23,
      now: NOW
    })
    emu.entra.setAccessTokenLifetime(30 * 86_400)
    dir = await mkdtemp(join(tmpdir(), 'cax-workspace-sync-'))
    rig = emulatorAuthRig(emu, dir)
    const saved = await rig.profiles.save(
      {
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
      },
      { endpoints: emu.urls }
    )
    await rig.auth.signIn(saved.id)
    profile = await rig.profiles.get(saved.id)
  })

  afterAll(async () => {
    await emu?.close()
    await rm(dir, { recursive: true, force: true })
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
    const before = emu.logAnalytics.requests().length
    await service.start({
      profileId: profile.id,
      clientId: 'window',
      since: SINCE,
      until: UNTIL,
      history: false,
      allRecords: false,
      ledger: emptyLedger()
    })
    const finish = await new Promise<JobFinish>((resolve) => {
      const poll = (): void => {
        const last = finishes.at(-1)
        if (last) {
          resolve(last)
        } else {
          setTimeout(poll, 20)
        }
      }
      poll()
    })
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
