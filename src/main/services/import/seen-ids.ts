import type { SeenIds } from './import-types'

/**
 * The default Id memory of an import: a `Map` from audit Id to a 32-bit hash of the raw record.
 *
 * Bound: memory grows with the number of distinct Ids, about 100–150 bytes each on V8 (a
 * 36-character GUID string plus a map slot), so roughly 15 MB per 100,000 Ids and 0.5–0.75 GB
 * at 5 million. That is fine for any single export (Purview caps exports at 1 million rows) and
 * for a few million records; beyond that, pass a {@link SeenIds} backed by the cache instead.
 * The CLI passes its store's compact Id index (`FileStore.importSession`, 19–37 bytes per Id).
 */
export class MemorySeenIds implements SeenIds {
  private readonly hashes = new Map<string, number>()

  get size(): number {
    return this.hashes.size
  }

  remember(id: string, contentHash: number): 'new' | 'duplicate' | 'conflict' {
    const known = this.hashes.get(id)
    if (known === undefined) {
      this.hashes.set(id, contentHash)
      return 'new'
    }
    return known === contentHash ? 'duplicate' : 'conflict'
  }
}
