/**
 * The quick search's syntax (src/shared/explorer/search-syntax.ts) bound to the Explorer's
 * columns: `Column:term` names a column by its id (`userId`), its header without spaces
 * (`User`, `IPaddress`) or, for a flattened field, its key (`AdditionalInfo.ActionName`); the
 * record's own field names (`UserId`, `ClientIP`, `Operation`) name the core column first.
 * Used by the UI (to explain errors inline) and the worker (to build masks). Pure.
 */
import { parseSearch, type SearchSyntaxError } from '../../../shared/explorer'

import type { ExplorerColumn } from './explorer-columns'
import { FIELD_PREFIX } from './query-types'

/** A term bound to a column id (null: any column). */
export interface BoundTerm {
  colId: string | null
  text: string
  isNegated: boolean
}

/** Alternatives (OR) of terms that must all match (AND); empty = no search. */
export type BoundSearch = BoundTerm[][]

export type BindSearchResult =
  { ok: true; search: BoundSearch } | { ok: false; error: SearchSyntaxError }

/** Names of the record's own fields that mean a core column. */
const FIELD_NAMES: Record<string, string> = {
  ClientIP: 'clientIp',
  UserId: 'userId',
  Operation: 'operation',
  Workload: 'workload',
  RecordType: 'recordTypeName',
  ObjectId: 'objectId',
  OrganizationId: 'organizationId',
  ResultStatus: 'resultStatus',
  UserType: 'userTypeLabel',
  CreationTime: 'createdAt',
  IP: 'clientIp',
  Tag: 'tags'
}

/** Every name a term may put before `:`, lower-cased, to the column id it means. */
export function searchNames(
  columns: readonly Pick<ExplorerColumn, 'colId' | 'headerName'>[]
): Map<string, string> {
  const names = new Map<string, string>()
  const add = (name: string, colId: string): void => {
    const key = name.toLowerCase()
    if (key !== '' && !names.has(key)) {
      names.set(key, colId)
    }
  }
  const core = columns.filter((c) => !c.colId.startsWith(FIELD_PREFIX))
  for (const c of core) {
    add(c.colId, c.colId)
    add(c.headerName.replace(/\s+/g, ''), c.colId)
  }
  for (const [name, colId] of Object.entries(FIELD_NAMES)) {
    if (core.some((c) => c.colId === colId)) {
      add(name, colId)
    }
  }
  for (const c of columns) {
    if (c.colId.startsWith(FIELD_PREFIX)) {
      add(c.colId.slice(FIELD_PREFIX.length), c.colId)
    }
  }
  return names
}

/** Parses a search and binds its column names; an error says where and why. */
export function bindSearch(input: string, names: ReadonlyMap<string, string>): BindSearchResult {
  const parsed = parseSearch(input)
  if (!parsed.ok) {
    return parsed
  }
  const search: BoundSearch = []
  for (const terms of parsed.query.alternatives) {
    const bound: BoundTerm[] = []
    for (const term of terms) {
      let colId: string | null = null
      if (term.column !== null) {
        colId = names.get(term.column.toLowerCase()) ?? null
        if (colId === null) {
          const at = input.indexOf(`${term.column}:`)
          return {
            ok: false,
            error: {
              message: `no column "${term.column}": name one such as User, Activity, Operation or IPaddress, or quote the text to search for it ("${term.column}:${term.text}")`,
              position: Math.max(0, at)
            }
          }
        }
      }
      bound.push({ colId, text: term.text.toLowerCase(), isNegated: term.isNegated })
    }
    search.push(bound)
  }
  return { ok: true, search }
}
