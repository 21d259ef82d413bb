/**
 * Plain words and times for the governance views (pure; unit-tested).
 */
import { KIND_LABELS } from '../../../shared/governance'
import type {
  FindingResult,
  ResourceRow,
  ResourceState,
  SharingEntry
} from '../../../shared/governance'

/** `2026-05-19 10:00:03 UTC`. */
export function formatUtc(ms: number): string {
  const iso = new Date(ms).toISOString()
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`
}

/** Plain words for a state. */
export const STATE_LABELS: Readonly<Record<ResourceState, string>> = {
  active: 'active',
  deleted: 'deleted',
  'turned-off': 'turned off by a data policy'
}

/** A resource's name for headings: its display name and id, or the id. */
export function resourceTitle(row: Pick<ResourceRow, 'name' | 'resourceId' | 'kind'>): string {
  return row.name !== '' ? row.name : row.resourceId
}

/** One holder in a few words: `bob@contoso.example: CanEdit (organisation)`. */
export function holderText(s: SharingEntry): string {
  return `${s.principalName}: ${s.permission}${s.audience !== 'person' ? ` (${s.audience})` : ''}`
}

/** What the resources table filters on: kind, state and text over names, ids and holders. */
export interface ResourceFilter {
  text: string
  kind: ResourceRow['kind'] | ''
  state: ResourceState | ''
}

/** The rows a filter keeps, in the given order. */
export function filterResources(
  rows: readonly ResourceRow[],
  filter: ResourceFilter
): ResourceRow[] {
  const needle = filter.text.trim().toLowerCase()
  return rows.filter((row) => {
    if (filter.kind !== '' && row.kind !== filter.kind) {
      return false
    }
    if (filter.state !== '' && row.state !== filter.state) {
      return false
    }
    if (needle === '') {
      return true
    }
    const haystack = [
      row.resourceId,
      row.name,
      row.environment,
      row.environmentName,
      row.connector,
      KIND_LABELS[row.kind],
      row.created?.by ?? '',
      row.lastChange.by,
      row.policy,
      ...row.sharing.map((s) => `${s.principalName} ${s.principal}`)
    ]
      .join('\n')
      .toLowerCase()
    return haystack.includes(needle)
  })
}

/** Every record Id a rule's findings rest on, once each, in the order they are cited. */
export function recordsOfRule(rule: Pick<FindingResult, 'items'>): string[] {
  return [...new Set(rule.items.flatMap((item) => item.recordIds))]
}
