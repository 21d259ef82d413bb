import { describe, expect, it } from 'vitest'

import { EMPTY_VALUE, sortStack, stackCounts, stackEntryFilter, Stacker } from './stacking'

interface Row {
  operation: string
  user: string | null
}

const ROWS: Row[] = [
  { operation: 'PutConnection', user: 'alice' },
  { operation: 'PutConnection', user: 'bob' },
  { operation: 'PutConnection', user: 'alice' },
  { operation: 'DeleteConnection', user: 'alice' },
  { operation: 'DeleteConnection', user: null },
  { operation: 'LaunchPowerApp', user: '' },
  { operation: 'PatchApi', user: 'bob' },
  { operation: 'PatchApi', user: 'carol' }
]

describe('stackCounts', () => {
  it('counts by one column with each value share, most frequent first, ties by value', () => {
    const stack = stackCounts(ROWS, [(r) => r.operation])
    expect(stack.total).toBe(8)
    expect(stack.distinct).toBe(4)
    expect(stack.entries.map((e) => [e.values[0], e.count, e.share])).toEqual([
      ['PutConnection', 3, 3 / 8],
      ['DeleteConnection', 2, 2 / 8],
      ['PatchApi', 2, 2 / 8],
      ['LaunchPowerApp', 1, 1 / 8]
    ])
  })

  it('counts pairs of two columns, empty cells as (empty)', () => {
    const stack = stackCounts(ROWS, [(r) => r.operation, (r) => r.user])
    expect(stack.distinct).toBe(7)
    expect(stack.entries[0]).toEqual({ values: ['PutConnection', 'alice'], count: 2, share: 0.25 })
    expect(
      stack.entries.filter((e) => e.values[1] === EMPTY_VALUE).map((e) => e.values[0])
    ).toEqual(['DeleteConnection', 'LaunchPowerApp'])
    const shares = stack.entries.reduce((sum, e) => sum + e.share, 0)
    expect(shares).toBeCloseTo(1, 10)
  })

  it('sorts by count or value either way', () => {
    const entries = stackCounts(ROWS, [(r) => r.operation]).entries
    expect(sortStack(entries, 'count-asc').map((e) => e.values[0])).toEqual([
      'LaunchPowerApp',
      'DeleteConnection',
      'PatchApi',
      'PutConnection'
    ])
    expect(sortStack(entries, 'value-asc').map((e) => e.values[0])).toEqual([
      'DeleteConnection',
      'LaunchPowerApp',
      'PatchApi',
      'PutConnection'
    ])
    expect(sortStack(entries, 'value-desc')[0]?.values[0]).toBe('PutConnection')
  })

  it('gives the same stack whatever order rows are added in', () => {
    const a = new Stacker<Row>([(r) => r.operation, (r) => r.user])
    const b = new Stacker<Row>([(r) => r.operation, (r) => r.user])
    ROWS.forEach((r) => a.add(r))
    ;[...ROWS].reverse().forEach((r) => b.add(r))
    expect(b.result()).toEqual(a.result())
  })

  it('refuses a stack of no column or of three', () => {
    expect(() => new Stacker<Row>([] as never)).toThrow(/one or two columns/)
  })
})

describe('stackEntryFilter', () => {
  it('selects exactly the rows an entry counts', () => {
    const getters = [(r: Row) => r.operation, (r: Row) => r.user] as const
    const stack = stackCounts(ROWS, getters)
    for (const entry of stack.entries) {
      expect(ROWS.filter(stackEntryFilter(getters, entry))).toHaveLength(entry.count)
    }
    const put = stack.entries.find((e) => e.values[0] === 'PutConnection' && e.values[1] === 'bob')
    expect(put && ROWS.filter(stackEntryFilter(getters, put))).toEqual([ROWS[1]])
  })
})
