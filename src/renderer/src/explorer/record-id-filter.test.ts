import { describe, expect, it } from 'vitest'

import { makeRecord } from '../../../shared/audit/test-records'

import { ColumnIndex } from './column-index'
import { emptyQuery, type ExplorerQuery } from './query-types'

function indexOf(count: number): ColumnIndex {
  const index = new ColumnIndex()
  // Three appends: the Ids spread over several chunks.
  for (let batch = 0; batch < 3; batch++) {
    index.append(
      Array.from({ length: count }, (_, i) => {
        const n = batch * count + i
        return makeRecord({
          id: `rec-${n}`,
          activity: n % 2 === 0 ? 'Connection deleted' : 'Connection edited',
          createdAtMs: Date.UTC(2026, 4, 1) + n * 60_000
        })
      })
    )
  }
  return index
}

function ids(index: ColumnIndex, query: Partial<ExplorerQuery>): string[] {
  return Array.from(index.run({ ...emptyQuery(), ...query }).rows, (r) => index.idOf(r)).sort()
}

describe('the record-Id filter (click-through to a finding)', () => {
  it('keeps exactly the listed records, a few or many, across chunks', () => {
    const index = indexOf(50)
    expect(ids(index, { recordIds: ['rec-3', 'rec-77', 'rec-149'] })).toEqual([
      'rec-149',
      'rec-3',
      'rec-77'
    ])
    const many = Array.from({ length: 40 }, (_, i) => `rec-${i * 3}`)
    expect(ids(index, { recordIds: many })).toEqual([...many].sort())
  })

  it('ignores Ids the cache does not hold, and an empty list matches nothing', () => {
    const index = indexOf(10)
    expect(ids(index, { recordIds: ['rec-1', 'not-cached'] })).toEqual(['rec-1'])
    expect(ids(index, { recordIds: [] })).toEqual([])
    expect(index.run(emptyQuery()).rows).toHaveLength(30)
  })

  it('combines with the other filters (AND) and counts facets over the listed records', () => {
    const index = indexOf(10)
    const query = { recordIds: ['rec-1', 'rec-2', 'rec-4'] }
    expect(ids(index, { ...query, facets: { activity: ['Connection deleted'] } })).toEqual([
      'rec-2',
      'rec-4'
    ])
    const facets = index.run({ ...emptyQuery(), ...query }).facets.activity
    expect(facets).toEqual([
      { value: 'Connection deleted', count: 2 },
      { value: 'Connection edited', count: 1 }
    ])
  })
})
