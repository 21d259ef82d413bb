import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { startEmulator, type Emulator } from '../../../emulator'
import type { Profile } from '../../../shared/profiles'
import type { HttpsClient } from '../http/https-client'

import type { AuthService } from './auth-service'
import { checkConnection } from './connection-check'
import { emulatorAuthRig, type EmulatorAuthRig } from './emulator-auth-rig'

describe('checkConnection against the emulator', () => {
  let emu: Emulator
  let dir: string
  let http: HttpsClient
  let auth: AuthService
  let rig: EmulatorAuthRig

  beforeAll(async () => {
    emu = await startEmulator({ seed: 11 })
    dir = await mkdtemp(join(tmpdir(), 'cax-check-'))
    rig = emulatorAuthRig(emu, dir)
    ;({ http, auth } = rig)
  })

  afterAll(async () => {
    await emu.close()
    await rm(dir, { recursive: true, force: true })
  })

  const signedInProfile = (upn: string): Promise<Profile> => rig.signedInProfile(upn)

  const run = (profile: Profile, now = new Date()): ReturnType<typeof checkConnection> =>
    checkConnection(profile, { auth, http, now: () => now })

  it('passes every step for an audit admin', async () => {
    const result = await run(await signedInProfile(emu.users.admin.upn))
    expect(result.steps.map((s) => [s.name, s.ok])).toEqual([
      ['Sign-in', true],
      ['Clock', true],
      ['Management Activity API', true],
      ['History (Graph audit log query)', true]
    ])
    expect(result.ok).toBe(true)
  })

  it('names the missing Graph permission for a user with only the per-workload variant', async () => {
    const result = await run(await signedInProfile(emu.users.reader.upn))
    const graph = result.steps.find((s) => s.name.startsWith('History'))
    expect(result.ok).toBe(false)
    expect(graph).toMatchObject({ ok: false })
    expect(graph?.fix).toContain('AuditLogsQuery.Read.All')
    expect(result.steps.find((s) => s.name === 'Management Activity API')?.ok).toBe(true)
  })

  it('names the missing ActivityFeed.Read permission (AF10001)', async () => {
    const result = await run(await signedInProfile(emu.users.noPermission.upn))
    const api = result.steps.find((s) => s.name === 'Management Activity API')
    expect(api).toMatchObject({ ok: false, code: 'auth/missing-permission' })
    expect(api?.fix).toContain('ActivityFeed.Read')
  })

  it('spots a clock that is off by more than five minutes', async () => {
    const profile = await signedInProfile(emu.users.admin.upn)
    const result = await run(profile, new Date(Date.now() + 20 * 60_000))
    expect(result.steps.find((s) => s.name === 'Clock')).toMatchObject({
      ok: false,
      code: 'auth/clock-skew'
    })
  })

  it('stops at sign-in for a profile that is not signed in, and says so', async () => {
    const profile = await rig.saveProfile('never signed in')
    const result = await run(profile)
    expect(result.steps).toEqual([
      expect.objectContaining({ name: 'Sign-in', ok: false, code: 'auth/interaction-required' })
    ])
  })
})
