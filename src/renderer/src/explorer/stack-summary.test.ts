import { describe, expect, it } from 'vitest'

import { stackSummary } from './stack-summary'

const entries = (count: number): { values: string[]; count: number; share: number }[] =>
  Array.from({ length: count }, (_, i) => ({ values: [`v${i}`], count: 1, share: 0 }))

describe('the stack summary', () => {
  it('says only the counts when every value is listed', () => {
    const stack = {
      total: 12,
      distinct: 3,
      matching: 3,
      offset: 0,
      entries: entries(3),
      isTruncated: false
    }
    expect(stackSummary(stack, '', 'count-desc')).toBe('3 distinct in 12 rows')
  })

  it('says how many of how many are listed when the list is cut, and where a page starts', () => {
    const first = {
      total: 90_000,
      distinct: 1234,
      matching: 1234,
      offset: 0,
      entries: entries(500),
      isTruncated: true
    }
    expect(stackSummary(first, '', 'count-desc')).toBe(
      '1,234 distinct in 90,000 rows · top 500 of 1,234 values'
    )
    expect(stackSummary(first, '', 'value-asc')).toBe(
      '1,234 distinct in 90,000 rows · first 500 of 1,234 values'
    )
    const last = { ...first, offset: 1000, entries: entries(234) }
    expect(stackSummary(last, '', 'count-desc')).toBe(
      '1,234 distinct in 90,000 rows · 1,001–1,234 of 1,234 values'
    )
  })

  it('says how many entries the find text keeps', () => {
    const found = {
      total: 90_000,
      distinct: 1234,
      matching: 2,
      offset: 0,
      entries: entries(2),
      isTruncated: false
    }
    expect(stackSummary(found, ' contoso ', 'count-desc')).toBe(
      '1,234 distinct in 90,000 rows · 2 containing "contoso"'
    )
    const many = { ...found, matching: 700, entries: entries(500), isTruncated: true }
    expect(stackSummary(many, 'contoso', 'count-desc')).toBe(
      '1,234 distinct in 90,000 rows · 700 containing "contoso" · top 500 of 700 found'
    )
  })
})
