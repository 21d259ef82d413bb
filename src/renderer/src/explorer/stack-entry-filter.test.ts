import { describe, expect, it } from 'vitest'

import { EMPTY_VALUE } from '../../../shared/explorer'

import { dateBucketColumn } from './date-buckets'
import { entryFilter } from './stack-entry-filter'

describe('the filter of a stack entry', () => {
  it('filters each stacked column to its value, blanks included', () => {
    expect(entryFilter(['userId', 'environment'], ['bea@contoso.example', EMPTY_VALUE])).toEqual({
      columns: [
        { colId: 'userId', value: 'bea@contoso.example' },
        { colId: 'environment', value: EMPTY_VALUE }
      ],
      range: null
    })
  })

  it('turns a date bucket into the range of its day or hour, next to the other column', () => {
    expect(
      entryFilter([dateBucketColumn('hour', 'utc'), 'operation'], ['2026-05-20 14:00', 'PatchApi'])
    ).toEqual({
      columns: [{ colId: 'operation', value: 'PatchApi' }],
      range: { fromMs: Date.UTC(2026, 4, 20, 14), toMs: Date.UTC(2026, 4, 20, 15) }
    })
  })
})
