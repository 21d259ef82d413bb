/**
 * Saved connection profiles, as JSON in the data folder. They hold no secrets.
 */
import { randomUUID } from 'node:crypto'
import { rename } from 'node:fs/promises'
import { join } from 'node:path'

import { z } from 'zod'

import { AppError } from '../../shared/errors'
import { Profile, type ProfileInput } from '../../shared/profiles'

import { readJsonFile, writeJsonFileAtomic } from './json-file'
import type { Logger } from './logging/logger'

const ProfilesFile = z.object({ version: z.literal(1), profiles: z.array(Profile) })

export interface ProfilesServiceDeps {
  dataDir: string
  log: Logger
  onDidChange?: (profiles: Profile[]) => void
}

/** Creates, updates, lists and deletes {@link Profile}s; writes are serialized and atomic. */
export class ProfilesService {
  private readonly file: string
  private profiles: Profile[] | undefined
  private queue: Promise<unknown> = Promise.resolve()

  constructor(private readonly deps: ProfilesServiceDeps) {
    this.file = join(deps.dataDir, 'profiles.json')
  }

  /** All profiles, in the order they were created. */
  async list(): Promise<Profile[]> {
    this.profiles ??= await this.load()
    return this.profiles
  }

  /** One profile, or a `profiles/not-found` error. */
  async get(id: string): Promise<Profile> {
    const found = (await this.list()).find((p) => p.id === id)
    if (!found) {
      throw new AppError('profiles/not-found', `No profile with id ${id}`)
    }
    return found
  }

  /** Creates (no id) or replaces (with id) a profile; keeps the chosen account when the tenant stays. */
  save(input: ProfileInput): Promise<Profile> {
    return this.mutate(async (profiles) => {
      const existing = input.id ? profiles.find((p) => p.id === input.id) : undefined
      if (input.id && !existing) {
        throw new AppError('profiles/not-found', `No profile with id ${input.id}`)
      }
      const keepAccount =
        existing?.accountHomeId !== undefined &&
        existing.tenant === input.tenant &&
        existing.clientId === input.clientId &&
        existing.cloud === input.cloud
      const profile = Profile.parse({
        ...input,
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
    return this.mutate(async (profiles) => {
      const existing = profiles.find((p) => p.id === id)
      if (!existing) {
        throw new AppError('profiles/not-found', `No profile with id ${id}`)
      }
      const { accountHomeId: _old, ...rest } = existing
      const profile: Profile = accountHomeId ? { ...rest, accountHomeId } : rest
      return { next: profiles.map((p) => (p.id === id ? profile : p)), result: profile }
    })
  }

  /** Deletes a profile; true when it existed. */
  delete(id: string): Promise<boolean> {
    return this.mutate(async (profiles) => {
      const next = profiles.filter((p) => p.id !== id)
      return { next, result: next.length !== profiles.length }
    })
  }

  private mutate<T>(
    change: (profiles: Profile[]) => Promise<{ next: Profile[]; result: T }>
  ): Promise<T> {
    const run = this.queue.then(async () => {
      const { next, result } = await change(await this.list())
      try {
        await writeJsonFileAtomic(this.file, { version: 1, profiles: next })
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'unknown'
        throw new AppError(
          'profiles/write-failed',
          code === 'ENOSPC'
            ? 'The disk is full: the profile was not saved. Free some space and try again.'
            : `The profile could not be saved (${code}). Check that the data folder is writable.`
        )
      }
      this.profiles = next
      this.deps.onDidChange?.(next)
      return result
    })
    this.queue = run.catch(() => undefined)
    return run
  }

  private async load(): Promise<Profile[]> {
    let raw: unknown
    try {
      raw = await readJsonFile(this.file)
    } catch {
      raw = null
    }
    if (raw === undefined) {
      return []
    }
    const parsed = ProfilesFile.safeParse(raw)
    if (parsed.success) {
      return parsed.data.profiles
    }
    const aside = `${this.file}.corrupt-${Date.now()}`
    this.deps.log.warn(`[profiles] profiles.json is unreadable; moved aside to ${aside}`)
    await rename(this.file, aside).catch(() => undefined)
    return []
  }
}
