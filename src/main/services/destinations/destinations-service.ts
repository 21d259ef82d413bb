/**
 * Saved "Send to…" destinations, as JSON in the data folder (`destinations.json`). They hold no
 * secrets: a destination names the connection whose sign-in gets its token.
 */
import { randomUUID } from 'node:crypto'
import { rename } from 'node:fs/promises'
import { join } from 'node:path'

import { z } from 'zod'

import {
  Destination,
  DestinationInput,
  destinationHostProblem,
  type DestinationPlacement
} from '../../../shared/destinations'
import { AppError } from '../../../shared/errors'
import { readJsonFile, writeJsonFileAtomic } from '../json-file'
import type { Logger } from '../logging/logger'
import type { ProfilesService } from '../profiles-service'

const DestinationsFile = z.object({ version: z.literal(1), destinations: z.array(Destination) })

export interface DestinationsServiceDeps {
  dataDir: string
  log: Logger
  profiles: ProfilesService
}

/** Creates, updates, lists and deletes destinations; writes are serialized and atomic. */
export class DestinationsService {
  private readonly file: string
  private destinations: Destination[] | undefined
  private queue: Promise<unknown> = Promise.resolve()

  constructor(private readonly deps: DestinationsServiceDeps) {
    this.file = join(deps.dataDir, 'destinations.json')
  }

  async list(): Promise<Destination[]> {
    this.destinations ??= await this.load()
    return this.destinations
  }

  /** One destination, or a `destinations/not-found` error. */
  async get(id: string): Promise<Destination> {
    const found = (await this.list()).find((d) => d.id === id)
    if (!found) {
      throw new AppError('destinations/not-found', `No destination with id ${id}`)
    }
    return found
  }

  /**
   * Creates (no id) or replaces (with id) a destination. `placement` is for main only (the demo):
   * without it, the hosts must be Microsoft's for the connection's cloud, and an update of a
   * demo destination stays a demo destination only if its target is unchanged. An update may
   * not change the engine (`destinations/invalid`): that is a new destination.
   */
  async save(given: DestinationInput, placement?: DestinationPlacement): Promise<Destination> {
    const input = DestinationInput.parse(given)
    const profile = await this.deps.profiles.get(input.profileId).catch(() => {
      throw new AppError(
        'destinations/invalid',
        'The destination names a connection that does not exist.'
      )
    })
    const before = input.id ? (await this.list()).find((d) => d.id === input.id) : undefined
    if (input.id && !before) {
      throw new AppError('destinations/not-found', `No destination with id ${input.id}`)
    }
    if (before && before.kind !== input.kind) {
      // Its journals (what was sent where) belong to the engine and target it had: another
      // engine is another destination.
      throw new AppError(
        'destinations/invalid',
        `Not saved: ${before.displayName} sends to ${engineName(before.kind)}; a destination's engine cannot change. Add a new destination for ${engineName(input.kind)}.`
      )
    }
    const sameTarget =
      before !== undefined &&
      JSON.stringify(targetOf(before)) === JSON.stringify(targetOf(input)) &&
      before.profileId === input.profileId
    const place: DestinationPlacement =
      placement ??
      (sameTarget && before
        ? {
            ...(before.isDemo ? { isDemo: true } : {}),
            ...(before.logAnalyticsBase ? { logAnalyticsBase: before.logAnalyticsBase } : {})
          }
        : {})
    if (!place.isDemo) {
      const problem = destinationHostProblem(input, profile.cloud)
      if (problem) {
        throw new AppError('destinations/invalid', `Not saved: ${problem}.`)
      }
    }
    const destination = Destination.parse({ ...input, ...place, id: before?.id ?? randomUUID() })
    return this.mutate((all) => ({
      next: before
        ? all.map((d) => (d.id === destination.id ? destination : d))
        : [...all, destination],
      result: destination
    }))
  }

  /** Deletes a destination; true when it existed. */
  delete(id: string): Promise<boolean> {
    return this.mutate((all) => {
      const next = all.filter((d) => d.id !== id)
      return { next, result: next.length !== all.length }
    })
  }

  private mutate<T>(
    change: (all: Destination[]) => { next: Destination[]; result: T }
  ): Promise<T> {
    const run = this.queue.then(async () => {
      const { next, result } = change(await this.list())
      try {
        await writeJsonFileAtomic(this.file, { version: 1, destinations: next })
      } catch (error) {
        throw new AppError(
          'destinations/write-failed',
          `The destination could not be saved (${(error as NodeJS.ErrnoException).code ?? 'unknown'}). Check that the data folder is writable.`
        )
      }
      this.destinations = next
      return result
    })
    this.queue = run.catch(() => undefined)
    return run
  }

  private async load(): Promise<Destination[]> {
    let raw: unknown
    try {
      raw = await readJsonFile(this.file)
    } catch {
      raw = null
    }
    if (raw === undefined) {
      return []
    }
    const parsed = DestinationsFile.safeParse(raw)
    if (parsed.success) {
      return parsed.data.destinations
    }
    const aside = `${this.file}.corrupt-${Date.now()}`
    this.deps.log.warn(`[destinations] destinations.json is unreadable; moved aside to ${aside}`)
    await rename(this.file, aside).catch(() => undefined)
    return []
  }
}

function engineName(kind: DestinationInput['kind']): string {
  return kind === 'adx' ? 'Azure Data Explorer' : 'Log Analytics'
}

function targetOf(d: DestinationInput): unknown {
  return d.kind === 'adx' ? d.adx : d.loganalytics
}
