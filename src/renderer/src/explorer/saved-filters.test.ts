import { describe, expect, it } from 'vitest'

import {
  ACTIVITY_CATALOG,
  CONNECTOR_ACTIVITIES,
  normalizeRecord,
  type NormalizedRecord
} from '../../../shared/audit'

import {
  ALL_EVENTS_VIEW,
  BUILT_IN_VIEWS,
  CONNECTOR_ACTIVITY_VIEW,
  isConnectorLens,
  PICKER_VIEWS,
  withConnectorLens,
  emptySpec,
  exportSavedFilters,
  importSavedFilters,
  resolveRange,
  SavedFilterSpecSchema,
  specToQuery,
  type SavedFilterSpec
} from './saved-filters'

const spec: SavedFilterSpec = {
  ...emptySpec(),
  range: { preset: 'custom', fromMs: 1000, toMs: 2000 },
  facets: { userId: ['bea@contoso.example'] },
  quickSearch: 'shared_sql',
  columnFilters: { clientIp: { type: 'startsWith', filter: '203.' } },
  tags: ['review'],
  sort: [{ colId: 'userId', sort: 'asc' }],
  columns: [
    { colId: 'createdAt', width: 180 },
    { colId: 'f:Note', hide: false }
  ]
}

describe('saved filters file', () => {
  it('round-trips through export and import', () => {
    const text = exportSavedFilters([{ name: 'Bea', spec }], new Date(0))
    expect(JSON.parse(text)).toMatchObject({ version: 1, exportedAt: '1970-01-01T00:00:00.000Z' })
    expect(importSavedFilters(text)).toEqual({ ok: true, filters: [{ name: 'Bea', spec }] })
  })

  it('rejects bad files with a clear message', () => {
    expect(importSavedFilters('{nope')).toEqual({
      ok: false,
      error: 'This file is not JSON, so it cannot hold saved filters.'
    })
    const other = importSavedFilters('{"format":"something-else"}')
    expect(other.ok).toBe(false)
    expect(!other.ok && other.error).toContain('not a saved-filters file')
    const broken = JSON.parse(exportSavedFilters([{ name: 'x', spec }])) as {
      filters: { spec: { quickSearch: unknown } }[]
    }
    broken.filters[0]!.spec.quickSearch = 42
    const bad = importSavedFilters(JSON.stringify(broken))
    expect(bad.ok).toBe(false)
    expect(!bad.ok && bad.error).toMatch(
      /^The saved-filters file is not valid: filters\.0\.spec\.quickSearch: /
    )
    const noName = JSON.parse(exportSavedFilters([{ name: 'x', spec }])) as {
      filters: { name: string }[]
    }
    noName.filters[0]!.name = '  '
    expect(importSavedFilters(JSON.stringify(noName)).ok).toBe(false)
  })
})

describe('a saved view with its grid habits', () => {
  const view: SavedFilterSpec = {
    ...spec,
    sort: [
      { colId: 'userId', sort: 'asc' },
      { colId: 'clientIp', sort: 'desc' }
    ],
    columns: [
      { colId: 'userId', width: 220, hide: false, pinned: 'left' },
      { colId: 'createdAt', width: 180, hide: false, pinned: null },
      { colId: 'f:Note', hide: true, pinned: 'right' }
    ],
    searchMode: 'highlight',
    colourRules: [{ search: 'Operation:Delete', colour: 'red' }]
  }

  it('keeps sort keys, pinning, the search mode and colour rules through a file', () => {
    const text = exportSavedFilters([{ name: 'Habits', spec: view }])
    expect(importSavedFilters(text)).toEqual({
      ok: true,
      filters: [{ name: 'Habits', spec: view }]
    })
    expect(specToQuery(view)).toMatchObject({
      sort: view.sort,
      searchMode: 'highlight',
      colourRules: view.colourRules
    })
  })

  it('reads views saved before these fields as filter mode without rules', () => {
    expect(specToQuery(spec)).toMatchObject({ searchMode: 'filter', colourRules: [] })
  })

  it('refuses a colour outside the palette and an empty rule, naming the field', () => {
    const file = JSON.parse(exportSavedFilters([{ name: 'x', spec: view }])) as {
      filters: { spec: { colourRules: { search: string; colour: string }[] } }[]
    }
    file.filters[0]!.spec.colourRules[0]!.colour = 'url(javascript:alert(1))'
    const bad = importSavedFilters(JSON.stringify(file))
    expect(!bad.ok && bad.error).toMatch(/filters\.0\.spec\.colourRules\.0\.colour/)
    file.filters[0]!.spec.colourRules[0] = { search: '  ', colour: 'red' }
    expect(importSavedFilters(JSON.stringify(file)).ok).toBe(false)
  })
})

describe('ranges and queries', () => {
  it('resolves presets relative to now and keeps custom bounds', () => {
    expect(resolveRange({ preset: '24h', fromMs: null, toMs: null }, 100_000_000)).toEqual({
      fromMs: 100_000_000 - 86_400_000,
      toMs: null
    })
    expect(resolveRange({ preset: 'all', fromMs: 1, toMs: 2 })).toEqual({
      fromMs: null,
      toMs: null
    })
    expect(specToQuery(spec)).toMatchObject({ fromMs: 1000, toMs: 2000, tags: ['review'] })
  })
})

describe('built-in views', () => {
  it('are defined from the activity catalog', () => {
    const names = BUILT_IN_VIEWS.map((v) => v.name)
    expect(names).toEqual([
      'Connections shared',
      'Connections turned off by data policy',
      'Custom APIs created or deleted',
      'Gateway permission changes',
      'Activity by admins'
    ])
    const shared = BUILT_IN_VIEWS[0]!
    expect(shared.spec.facets.activity).toEqual(['Connection permission added or edited'])
    expect(shared.operations).toEqual(['PutConnectionPermission'])
    const catalogNames = new Set(ACTIVITY_CATALOG.map((a) => a.activity))
    for (const view of BUILT_IN_VIEWS) {
      for (const activity of view.spec.facets.activity ?? []) {
        expect(catalogNames.has(activity)).toBe(true)
      }
    }
    expect(BUILT_IN_VIEWS[4]!.spec.facets.userTypeLabel).toEqual(['Admin'])
  })
})

/** A record as the normalizer makes it from a Management API record with this Operation. */
function normalized(operation: string, extra: Record<string, unknown> = {}): NormalizedRecord {
  const result = normalizeRecord(
    JSON.stringify({
      Id: `id-${operation}`,
      CreationTime: '2026-05-19T10:00:00',
      Operation: operation,
      OrganizationId: '11111111-2222-3333-4444-555555555555',
      RecordType: 261,
      UserType: 0,
      UserId: 'bea@contoso.example',
      Workload: 'PowerPlatform',
      ...extra
    })
  )
  if (!result.ok) {
    throw new Error(result.reason)
  }
  return result.record
}

/** Whether a record passes a view's facets (the worker's rule: any chosen value per column). */
function inView(view: { spec: SavedFilterSpec }, record: NormalizedRecord): boolean {
  return Object.entries(view.spec.facets).every(([column, values]) =>
    (values ?? []).includes(String(record[column as keyof NormalizedRecord]))
  )
}

describe('the Connector activity view (what the Explorer opens on)', () => {
  it('holds the fifteen connector activities of the catalogue and the data-policy events', () => {
    const labelled = CONNECTOR_ACTIVITIES.filter((entry) => entry.isPurviewLabel)
    expect(labelled).toHaveLength(15)
    const categories = CONNECTOR_ACTIVITY_VIEW.spec.facets.category ?? []
    for (const entry of CONNECTOR_ACTIVITIES) {
      expect(categories, entry.activity).toContain(entry.category)
    }
    const dataPolicy = ACTIVITY_CATALOG.filter((entry) => entry.category === 'Data policy')
    expect(dataPolicy.map((entry) => entry.activity)).toEqual(
      expect.arrayContaining([
        'Added ConnectionDlpEvaluationResult',
        'Added DataLossPreventionEvaluationResult',
        'Data policy changed'
      ])
    )
    for (const entry of dataPolicy) {
      expect(categories).toContain(entry.category)
    }
  })

  it('selects connector and data-policy records and leaves other Power Platform and M365 events out', () => {
    const connector = [
      'PutConnection',
      'PatchApi',
      'PutConnectionPermission',
      'PutAppConnectionUsage',
      'AppDlpEvaluationResultChange',
      'GovernanceApiPolicyOperation'
    ].map((op) => normalized(op))
    const others = [
      normalized('LaunchPowerApp'),
      normalized('CreateFlow'),
      normalized('BotCreate'),
      normalized('TeamsSessionStarted', { RecordType: 25, Workload: 'MicrosoftTeams' }),
      normalized('ViewReport', { RecordType: 20, Workload: 'PowerBI' })
    ]
    expect(
      connector.filter((r) => !inView(CONNECTOR_ACTIVITY_VIEW, r)).map((r) => r.operation)
    ).toEqual([])
    expect(
      others.filter((r) => inView(CONNECTOR_ACTIVITY_VIEW, r)).map((r) => r.operation)
    ).toEqual([])
    expect([...connector, ...others].every((r) => inView(ALL_EVENTS_VIEW, r))).toBe(true)
  })

  it('switches the lens on and off and keeps the other facets', () => {
    expect(isConnectorLens(CONNECTOR_ACTIVITY_VIEW.spec.facets)).toBe(true)
    expect(isConnectorLens(ALL_EVENTS_VIEW.spec.facets)).toBe(false)
    expect(isConnectorLens({ category: ['Connection'] })).toBe(false)
    const off = withConnectorLens(
      { ...CONNECTOR_ACTIVITY_VIEW.spec.facets, userId: ['bea'] },
      false
    )
    expect(off).toEqual({ userId: ['bea'] })
    const on = withConnectorLens(off, true)
    expect(isConnectorLens(on)).toBe(true)
    expect(on.userId).toEqual(['bea'])
  })

  it('offers both lenses and every investigation view in the view picker', () => {
    expect(PICKER_VIEWS.map((view) => view.name)).toEqual([
      'Connector activity',
      'All audit events',
      ...BUILT_IN_VIEWS.map((view) => view.name)
    ])
    expect(SavedFilterSpecSchema.safeParse(CONNECTOR_ACTIVITY_VIEW.spec).success).toBe(true)
  })
})
