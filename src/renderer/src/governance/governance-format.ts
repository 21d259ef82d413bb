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

/**
 * A resource's name for headings: its display name, else its kind, connector and the start of
 * the last part of its id (`shared_sql connection 0c88341e…`); the full id is shown next to it.
 */
export function resourceTitle(
  row: Pick<ResourceRow, 'name' | 'resourceId' | 'kind' | 'connector'>
): string {
  if (row.name !== '') {
    return row.name
  }
  const last = row.resourceId.replace(/\/+$/, '').split('/').pop() ?? row.resourceId
  const short = last.length > 12 ? `${last.slice(0, 8)}…` : last
  const api = /\/apis\/([^/]+)/i.exec(row.resourceId)?.[1] ?? ''
  switch (row.kind) {
    case 'connection':
      return `${row.connector || api || 'connection'} connection ${short}`
    case 'custom-api':
      return `custom API ${api || short}`
    case 'gateway':
      return `gateway ${short}`
  }
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
