/**
 * Saved connection profiles, as JSON in the data folder. They hold no secrets.
 */
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'

import { adxClusterHostProblem } from '../../../shared/destinations'
import { AppError } from '../../../shared/errors'
import {
  movesTokens,
  Profile,
  type ProfileInput,
  type ProfilePlacement
} from '../../../shared/profiles'
import { JsonCollection } from '../json-store/json-collection'
import type { Logger } from '../logging/logger'

export interface ProfilesServiceDeps {
  dataDir: string
  log: Logger
  onDidChange?: (profiles: Profile[]) => void
  /**
   * Signs a signed-in profile out (its account and cached tokens removed) before a save changes
   * its tenant, app registration, cloud or endpoints, so no token follows the change.
   */
  signOut?: (profile: Profile) => Promise<void>
}

/** Creates, updates, lists and deletes {@link Profile}s; writes are serialized and atomic. */
export class ProfilesService {
  private readonly profiles: JsonCollection<Profile>

  constructor(private readonly deps: ProfilesServiceDeps) {
    this.profiles = new JsonCollection({
      file: join(deps.dataDir, 'profiles.json'),
      key: 'profiles',
      item: Profile,
      domain: 'profiles',
      noun: 'profile',
      log: deps.log,
      ...(deps.onDidChange ? { onDidChange: deps.onDidChange } : {})
    })
  }

  /** All profiles, in the order they were created. */
  list(): Promise<Profile[]> {
    return this.profiles.list()
  }

  /** One profile, or a `profiles/not-found` error. */
  get(id: string): Promise<Profile> {
    return this.profiles.get(id)
  }

  /**
   * Creates (no id) or replaces (with id) a profile. `placement` (endpoints, demo flag) is for
   * main only; without it an update keeps the profile's own. A change of tenant, app
   * registration, cloud or endpoints signs a signed-in profile out first; otherwise the chosen
   * account stays.
   */
  async save(given: ProfileInput, placement?: ProfilePlacement): Promise<Profile> {
    // Placement comes only through its own argument, even from a caller that spreads a Profile.
    const {
      endpoints: _endpoints,
      isDemo: _isDemo,
      accountHomeId: _account,
      ...input
    } = given as ProfileInput & Partial<Profile>
    const before = input.id ? (await this.list()).find((p) => p.id === input.id) : undefined
    const place = (existing: Profile | undefined): ProfilePlacement =>
      placement ?? { endpoints: existing?.endpoints, isDemo: existing?.isDemo }
    // An ADX cluster decides where the token goes: from the UI, only Microsoft's hosts of the
    // cloud; main's placement (the demo's emulator) or an unchanged demo cluster are kept.
    if (input.kind === 'adx' && input.adx) {
      const isMainsCluster =
        placement?.isDemo === true ||
        (before?.isDemo === true &&
          before.adx?.cluster.toLowerCase() === input.adx.cluster.replace(/\/+$/, '').toLowerCase())
      const problem = isMainsCluster
        ? undefined
        : adxClusterHostProblem(input.adx.cluster, input.cloud)
      if (problem) {
        throw new AppError('profiles/invalid', `Not saved: ${problem}.`)
      }
    }
    if (before?.accountHomeId && movesTokens(before, { ...input, ...place(before) })) {
      // Invalid input fails here, before the sign-out, so a refused save changes nothing.
      Profile.parse({ ...input, ...place(before), id: before.id })
      this.deps.log.info(`[profiles] profile ${before.id} now points elsewhere: signing it out`)
      await this.deps.signOut?.(before)
    }
    return this.profiles.mutate((profiles) => {
      const existing = input.id ? profiles.find((p) => p.id === input.id) : undefined
      if (input.id && !existing) {
        throw this.profiles.notFound(input.id)
      }
      const { endpoints, isDemo } = place(existing)
      const placed = {
        ...input,
        ...(endpoints ? { endpoints } : {}),
        ...(isDemo ? { isDemo } : {})
      }
      const keepAccount = existing?.accountHomeId !== undefined && !movesTokens(existing, placed)
      const profile = Profile.parse({
        ...placed,
        id: existing?.id ?? randomUUID(),
        ...(keepAccount ? { accountHomeId: existing.accountHomeId } : {})
      })
      const next = existing
        ? profiles.map((p) => (p.id === profile.id ? profile : p))
        : [...profiles, profile]
      return { next, result: profile }
    })
  }

  /** Records (or clears) the account a profile signed in with. */
  setAccount(id: string, accountHomeId: string | undefined): Promise<Profile> {
    return this.profiles.mutate((profiles) => {
      const existing = profiles.find((p) => p.id === id)
      if (!existing) {
        throw this.profiles.notFound(id)
      }
      const { accountHomeId: _old, ...rest } = existing
      const profile: Profile = accountHomeId ? { ...rest, accountHomeId } : rest
      return { next: profiles.map((p) => (p.id === id ? profile : p)), result: profile }
    })
  }

  /** Deletes a profile; true when it existed. */
  delete(id: string): Promise<boolean> {
    return this.profiles.delete(id)
  }
}
