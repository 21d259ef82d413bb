/**
 * The stack panel's one-line account of what it lists: how many distinct values there are,
 * how many the find text keeps, and which of them are on screen — so a long stack never hides
 * a value without saying so. Pure.
 */
import type { StackSort } from '../../../shared/explorer'

import type { StackAnswer } from './query-types'

const n = (value: number): string => value.toLocaleString('en-US')

/** `3 distinct in 12 rows`, `… · top 500 of 1,234 values`, `… · 501–1,000 of 1,234 values`. */
export function stackSummary(
  stack: Pick<
    StackAnswer,
    'total' | 'distinct' | 'matching' | 'offset' | 'entries' | 'isTruncated'
  >,
  find: string,
  sort: StackSort
): string {
  const parts = [`${n(stack.distinct)} distinct in ${n(stack.total)} rows`]
  const isFinding = find.trim() !== ''
  if (isFinding) {
    parts.push(`${n(stack.matching)} containing "${find.trim()}"`)
  }
  if (stack.isTruncated) {
    const shown = stack.entries.length
    const of = `of ${n(stack.matching)} ${isFinding ? 'found' : 'values'}`
    parts.push(
      stack.offset === 0
        ? `${sort === 'count-desc' ? 'top' : 'first'} ${n(shown)} ${of}`
        : shown === 0
          ? `none past ${n(stack.offset)} ${of}`
          : `${n(stack.offset + 1)}–${n(stack.offset + shown)} ${of}`
    )
  }
  return parts.join(' · ')
}
