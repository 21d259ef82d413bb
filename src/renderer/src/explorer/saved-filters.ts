/**
 * Saved filters: their shape, the portable JSON file a colleague can import (validated with zod,
 * STYLE.md rule 21), and the built-in investigation views, defined as data from the activity catalog.
 */
import { z } from 'zod'

import { ACTIVITY_CATALOG, CONNECTOR_CATEGORIES, USER_TYPES } from '../../../shared/audit'

import {
  FACET_COLUMNS,
  ROW_COLOURS,
  emptyQuery,
  type ExplorerQuery,
  type FacetColumn
} from './query-types'

export const RANGE_PRESETS = ['24h', '7d', '30d', 'all', 'custom'] as const
export type RangePreset = (typeof RANGE_PRESETS)[number]

const PRESET_MS: Record<Exclude<RangePreset, 'all' | 'custom'>, number> = {
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
  '30d': 30 * 86_400_000
}

const TextConditionSchema = z.object({
  filterType: z.string().optional(),
  type: z.enum([
    'contains',
    'notContains',
    'equals',
    'notEqual',
    'startsWith',
    'endsWith',
    'blank',
    'notBlank'
  ]),
  filter: z.string().nullable().optional()
})

const ColumnFilterSchema = z.union([
  z.object({
    filterType: z.string().optional(),
    operator: z.enum(['AND', 'OR']),
    conditions: z.array(TextConditionSchema).max(10)
  }),
  TextConditionSchema
])

const ColumnLayoutSchema = z.object({
  colId: z.string().min(1).max(500),
  width: z.number().positive().max(5000).optional(),
  hide: z.boolean().optional(),
  pinned: z.enum(['left', 'right']).nullable().optional()
})

const ColourRuleSchema = z.object({
  search: z.string().trim().min(1).max(2000),
  colour: z.enum(ROW_COLOURS)
})
export type ColumnLayout = z.infer<typeof ColumnLayoutSchema>

const facetShape = Object.fromEntries(
  FACET_COLUMNS.map((column) => [column, z.array(z.string().max(2000)).max(5000).optional()])
) as Record<FacetColumn, z.ZodOptional<z.ZodArray<z.ZodString>>>

/**
 * What a saved filter (a saved view) holds: the range, facets, quick search and its mode, column
 * filters, the sort keys, the colour rules and the column layout (order, width, visibility, pinning).
 */
export const SavedFilterSpecSchema = z.object({
  range: z.object({
    preset: z.enum(RANGE_PRESETS),
    fromMs: z.number().nullable(),
    toMs: z.number().nullable()
  }),
  facets: z.object(facetShape),
  quickSearch: z.string().max(2000),
  columnFilters: z.record(z.string(), ColumnFilterSchema),
  tags: z.array(z.string().max(200)).max(500),
  sort: z.array(z.object({ colId: z.string(), sort: z.enum(['asc', 'desc']) })).max(10),
  columns: z.array(ColumnLayoutSchema).max(10_000),
  /** Absent in files saved before search modes: filter. */
  searchMode: z.enum(['filter', 'highlight']).optional(),
  /** Absent in files saved before colour rules: none. */
  colourRules: z.array(ColourRuleSchema).max(100).optional()
})
export type SavedFilterSpec = z.infer<typeof SavedFilterSpecSchema>

export const SAVED_FILTERS_FORMAT = 'connector-audit-explorer/saved-filters'

/** The file shared with a colleague. */
export const SavedFiltersFileSchema = z.object({
  format: z.literal(SAVED_FILTERS_FORMAT),
  version: z.literal(1),
  exportedAt: z.string(),
  filters: z
    .array(z.object({ name: z.string().trim().min(1).max(200), spec: SavedFilterSpecSchema }))
    .max(1000)
})
export type SavedFiltersFile = z.infer<typeof SavedFiltersFileSchema>

export interface NamedSpec {
  name: string
  spec: SavedFilterSpec
}

/** A spec with nothing set. */
export function emptySpec(): SavedFilterSpec {
  const query = emptyQuery()
  return {
    range: { preset: 'all', fromMs: null, toMs: null },
    facets: {},
    quickSearch: '',
    columnFilters: {},
    tags: [],
    sort: query.sort,
    columns: []
  }
}

/** The time bounds of a range at `now`: presets are relative to now, custom is absolute. */
export function resolveRange(
  range: SavedFilterSpec['range'],
  now: number = Date.now()
): { fromMs: number | null; toMs: number | null } {
  if (range.preset === 'all') {
    return { fromMs: null, toMs: null }
  }
  if (range.preset === 'custom') {
    return { fromMs: range.fromMs, toMs: range.toMs }
  }
  return { fromMs: now - PRESET_MS[range.preset], toMs: null }
}

/** The worker query a spec stands for. */
export function specToQuery(spec: SavedFilterSpec, now: number = Date.now()): ExplorerQuery {
  return {
    ...resolveRange(spec.range, now),
    facets: spec.facets,
    quickSearch: spec.quickSearch,
    columnFilters: spec.columnFilters,
    tags: spec.tags,
    sort: spec.sort.length > 0 ? spec.sort : emptyQuery().sort,
    searchMode: spec.searchMode ?? 'filter',
    colourRules: spec.colourRules ?? []
  }
}

/** The JSON text of a saved-filters file. */
export function exportSavedFilters(filters: readonly NamedSpec[], now = new Date()): string {
  const file: SavedFiltersFile = {
    format: SAVED_FILTERS_FORMAT,
    version: 1,
    exportedAt: now.toISOString(),
    filters: filters.map(({ name, spec }) => ({ name, spec }))
  }
  return `${JSON.stringify(file, null, 2)}\n`
}

/** Reads a saved-filters file; a bad file gives one clear sentence saying what is wrong. */
export function importSavedFilters(
  text: string
): { ok: true; filters: NamedSpec[] } | { ok: false; error: string } {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return { ok: false, error: 'This file is not JSON, so it cannot hold saved filters.' }
  }
  const format = (parsed as { format?: unknown } | null)?.format
  if (format !== SAVED_FILTERS_FORMAT) {
    return {
      ok: false,
      error: `This is not a saved-filters file of Connector Audit Explorer (expected "format": "${SAVED_FILTERS_FORMAT}").`
    }
  }
  const result = SavedFiltersFileSchema.safeParse(parsed)
  if (!result.success) {
    const issue = result.error.issues[0]
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'the file'
    return {
      ok: false,
      error: `The saved-filters file is not valid: ${where}: ${issue?.message ?? 'invalid'}.`
    }
  }
  return { ok: true, filters: result.data.filters }
}

/** A built-in investigation view. */
export interface BuiltInView {
  id: string
  name: string
  description: string
  spec: SavedFilterSpec
  /** The Operation strings the catalog knows for the view's activities (shown as a hint). */
  operations: string[]
}

function activityView(
  id: string,
  name: string,
  description: string,
  activities: string[]
): BuiltInView {
  const entries = ACTIVITY_CATALOG.filter((entry) => activities.includes(entry.activity))
  const operations = entries.flatMap((entry) => entry.operations.map((op) => op.operation))
  return {
    id,
    name,
    description,
    operations,
    spec: { ...emptySpec(), facets: { activity: entries.map((entry) => entry.activity) } }
  }
}

const ADMIN_LABEL = USER_TYPES.find((entry) => entry.member === 'Admin')?.label ?? 'Admin'

/** The built-in views of the connector lens (what-users-want.md §4 item 7). */
export const BUILT_IN_VIEWS: readonly BuiltInView[] = [
  activityView('connections-shared', 'Connections shared', 'Connections shared or re-shared.', [
    'Connection permission added or edited'
  ]),
  activityView(
    'connections-turned-off',
    'Connections turned off by data policy',
    'Connections turned off because they break a data (DLP) policy.',
    ['Added ConnectionDlpEvaluationResult']
  ),
  activityView(
    'custom-apis-created-deleted',
    'Custom APIs created or deleted',
    'Custom connectors created or deleted.',
    ['API created', 'API deleted']
  ),
  activityView(
    'gateway-permissions',
    'Gateway permission changes',
    'Gateways shared, or their permissions changed or removed.',
    ['Gateway permission added or edited', 'Gateway permission removed']
  ),
  {
    id: 'admin-activity',
    name: 'Activity by admins',
    description: 'Everything done by tenant administrators (UserType 2).',
    operations: [],
    spec: { ...emptySpec(), facets: { userTypeLabel: [ADMIN_LABEL] } }
  }
]

/**
 * What the Explorer opens on: connector activity. The fifteen connector activities of the catalog
 * (and connector operations it has no label for, grouped by their name), the data-policy events
 * (a connection turned off, an app's DLP evaluation, a data policy changed) and the connector
 * admin events: every record whose category is one of the connector categories.
 */
export const CONNECTOR_ACTIVITY_VIEW: BuiltInView = {
  id: 'connector-activity',
  name: 'Connector activity',
  description:
    'The fifteen connector activities, data-policy events and connector admin events (APIs, connections, gateways, data policies).',
  operations: [],
  spec: { ...emptySpec(), facets: { category: [...CONNECTOR_CATEGORIES] } }
}

/** Every cached audit event (Teams, Power BI, Power Apps … as well as connector activity). */
export const ALL_EVENTS_VIEW: BuiltInView = {
  id: 'all-events',
  name: 'All audit events',
  description: 'Every cached audit event, connector activity or not.',
  operations: [],
  spec: emptySpec()
}

/** The views the view picker offers: the two lenses, then the investigation views. */
export const PICKER_VIEWS: readonly BuiltInView[] = [
  CONNECTOR_ACTIVITY_VIEW,
  ALL_EVENTS_VIEW,
  ...BUILT_IN_VIEWS
]

/** True when the facets select exactly the connector categories (the connector lens is on). */
export function isConnectorLens(facets: SavedFilterSpec['facets']): boolean {
  const chosen = facets.category ?? []
  return (
    chosen.length === CONNECTOR_CATEGORIES.length &&
    CONNECTOR_CATEGORIES.every((category) => chosen.includes(category))
  )
}

/** The facets with the connector lens switched on or off, other facets kept. */
export function withConnectorLens(
  facets: SavedFilterSpec['facets'],
  isOn: boolean
): SavedFilterSpec['facets'] {
  const { category: _category, ...others } = facets
  return isOn ? { ...others, category: [...CONNECTOR_CATEGORIES] } : others
}
