import { describe, expect, it } from 'vitest'

import { ACTIVITY_CATALOG } from '../../../shared/audit'

import {
  BUILT_IN_VIEWS,
  emptySpec,
  exportSavedFilters,
  importSavedFilters,
  resolveRange,
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
