/**
 * How values become rows of the cache's small tables (app-db.ts): ledger entries keyed by their
 * own key, tags trimmed and de-duplicated, setting keys. Pure: no Dexie.
 */
import type { LedgerEntry, LedgerRow } from './cache-types'

/** Trims tags, drops empty ones and repeats. */
export function normalizeTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((t) => t.trim()).filter((t) => t !== ''))]
}

/** The key of a setting row: a profile's setting, or an app-wide one ('' profile). */
export function settingKey(profileId: string, name: string): string {
  return `${profileId}:${name}`
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

/**
 * A ledger entry as a row. The entry's own `key` (or `id`, `contentId`, `queryId`) is the key;
 * an entry without one is keyed by its JSON text so it is still stored exactly once.
 */
export function toLedgerRow<E extends LedgerEntry>(entry: E): LedgerRow<E> {
  const obj = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>
  const key =
    text(obj['key']) ??
    text(obj['id']) ??
    text(obj['contentId']) ??
    text(obj['queryId']) ??
    JSON.stringify(entry)
  return {
    key,
    tenantId: text(obj['tenantId']) ?? '',
    status: text(obj['status']) ?? '',
    entry
  }
}
