/**
 * Saved "Send to…" destinations, as JSON in the data folder (`destinations.json`). They hold no
 * secrets: a destination names the connection whose sign-in gets its token.
 */
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'

import {
  Destination,
  DestinationInput,
  destinationHostProblem,
  type DestinationPlacement
} from '../../../shared/destinations'
import { AppError } from '../../../shared/errors'
import { JsonCollection } from '../json-store/json-collection'
import type { Logger } from '../logging/logger'
import type { ProfilesService } from '../profiles/profiles-service'

export interface DestinationsServiceDeps {
  dataDir: string
  log: Logger
  profiles: ProfilesService
}

/** Creates, updates, lists and deletes destinations; writes are serialized and atomic. */
export class DestinationsService {
  private readonly destinations: JsonCollection<Destination>

  constructor(private readonly deps: DestinationsServiceDeps) {
    this.destinations = new JsonCollection({
      file: join(deps.dataDir, 'destinations.json'),
      key: 'destinations',
      item: Destination,
      domain: 'destinations',
      noun: 'destination',
      log: deps.log
    })
  }

  /** All destinations, in the order they were created. */
  list(): Promise<Destination[]> {
    return this.destinations.list()
  }

  /** One destination, or a `destinations/not-found` error. */
  get(id: string): Promise<Destination> {
    return this.destinations.get(id)
  }

  /**
   * Creates (no id) or replaces (with id) a destination. `placement` is for main only (the demo):
   * without it, the hosts must be Microsoft's for the connection's cloud, and an update of a
   * demo destination stays a demo destination only if its target is unchanged.
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
      throw this.destinations.notFound(input.id)
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
    return this.destinations.mutate((all) => ({
      next: before
        ? all.map((d) => (d.id === destination.id ? destination : d))
        : [...all, destination],
      result: destination
    }))
  }

  /** Deletes a destination; true when it existed. */
  delete(id: string): Promise<boolean> {
    return this.destinations.delete(id)
  }
}

function targetOf(d: DestinationInput): unknown {
  return d.kind === 'adx' ? d.adx : d.loganalytics
}
