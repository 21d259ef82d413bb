import { describe, expect, it } from 'vitest'

import type { LoadProgress, QuerySummary } from './query-types'
import { statusText } from './status-text'

function summary(total: number, indexed: number): QuerySummary {
  return {
    total,
    indexed,
    facets: {} as QuerySummary['facets'],
    histogram: { startMs: 0, bucketMs: 1, counts: [] },
    tookMs: 1
  }
}
function progress(indexed: number, total: number, isDone: boolean): LoadProgress {
  return { indexed, total, isDone, fieldKeys: [], chunks: { read: 0, handedOver: 0 } }
}

describe('statusText', () => {
  it('gives final counts once everything is loaded', () => {
    expect(statusText(summary(464, 5000), progress(5000, 5000, true))).toBe('464 of 5,000 records')
  })

  it('never reads as final while loading: a lower bound and what is loaded', () => {
    expect(statusText(summary(464, 2000), progress(2000, 5000, false))).toBe(
      '≥ 464 records so far · loading 2,000 of 5,000…'
    )
    // Loading has ended but this summary was computed before the last rows arrived.
    expect(statusText(summary(464, 2000), progress(5000, 5000, true))).toContain('≥ 464')
  })

  it('in highlight mode says how many of the rows shown match the search', () => {
    expect(statusText({ ...summary(464, 5000), searchHits: 12 }, progress(5000, 5000, true))).toBe(
      '12 highlighted · 464 of 5,000 records'
    )
  })
})
