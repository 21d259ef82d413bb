/**
 * Test support: a real AuthService wired to the emulator's Entra ID (headless sign-in), with the
 * HTTP client, profiles and logger tests need. Used by the auth, connection-check and acquire
 * tests so each builds the same rig the same way.
 */
import type { Emulator } from '../../../emulator'
import type { Profile } from '../../../shared/profiles'
import { HttpsClient, isLoopbackHost } from '../http/https-client'
import { MemoryLogger } from '../logging/logger'
import { ProfilesService } from '../profiles/profiles-service'

import { MemorySecretStore } from './secret-store'

import { AuthService, type AuthServiceDeps } from './auth-service'

/** What {@link emulatorAuthRig} builds. */
export interface EmulatorAuthRig {
  http: HttpsClient
  log: MemoryLogger
  profiles: ProfilesService
  auth: AuthService
  /** Saves a profile for the emulator's tenant and app registration. */
  saveProfile(displayName: string): Promise<Profile>
  /** Saves a profile and signs it in (as `upn` when given). */
  signedInProfile(upn?: string): Promise<Profile>
}

/**
 * Builds the rig in `dataDir`. The emulator is switched to headless sign-in, so the "browser"
 * is a plain GET of the authorize URL; `overrides` replace any AuthService dependency.
 */
export function emulatorAuthRig(
  emu: Emulator,
  dataDir: string,
  overrides: Partial<AuthServiceDeps> = {}
): EmulatorAuthRig {
  emu.entra.setHeadless('auto')
  const http = new HttpsClient({ extraCaPem: emu.caCertPem, allowHost: isLoopbackHost })
  const log = new MemoryLogger()
  const profiles = new ProfilesService({ dataDir, log })
  const auth = new AuthService({
    profiles,
    secrets: new MemorySecretStore(),
    opener: { open: async (url) => void (await http.send({ url })) },
    http,
    dataDir,
    log,
    onDidChange: () => undefined,
    onDeviceCode: () => undefined,
    ...overrides
  })
  const saveProfile = (displayName: string): Promise<Profile> =>
    profiles.save(
      {
        displayName,
        tenant: emu.tenantId,
        clientId: emu.clientId,
        cloud: 'commercial',
        signInMode: 'interactive'
      },
      { endpoints: emu.urls }
    )
  return {
    http,
    log,
    profiles,
    auth,
    saveProfile,
    signedInProfile: async (upn) => {
      const profile = await saveProfile(upn ?? 'Demo')
      await auth.signIn(profile.id, upn ? { loginHint: upn } : {})
      return profiles.get(profile.id)
    }
  }
}
