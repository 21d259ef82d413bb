/**
 * Stacking ("value counts"): how many rows hold each value of one column, or each pair of values
 * of two columns, with each count's share of the rows counted. A fold: add rows one at a time
 * (in any order), read the stack when needed. One Map, one pass.
 */

/** A cell value as the getters return it. Empty values are counted as {@link EMPTY_VALUE}. */
export type StackValue = string | number | boolean | null | undefined

/** The label of empty values in a stack. */
export const EMPTY_VALUE = '(empty)'

/** One row of a stack. */
export interface StackEntry {
  /** One value per stacked column. */
  values: string[]
  count: number
  /** count / total rows counted, 0…1. */
  share: number
}

/** How a stack is sorted. */
export type StackSort = 'count-desc' | 'count-asc' | 'value-asc' | 'value-desc'

/** A stack. */
export interface Stack {
  /** Rows counted. */
  total: number
  /** Distinct values (or pairs). */
  distinct: number
  entries: StackEntry[]
}

const SEP = '\u0000'

function text(value: StackValue): string {
  return value === null || value === undefined || value === '' ? EMPTY_VALUE : String(value)
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' })

function compareValues(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const c = collator.compare(a[i] ?? '', b[i] ?? '')
    if (c !== 0) {
      return c
    }
  }
  return 0
}

/** Sorts stack entries; ties on count fall back to the values, so the order is stable. */
export function sortStack(entries: readonly StackEntry[], sort: StackSort): StackEntry[] {
  const out = [...entries]
  switch (sort) {
    case 'count-desc':
      return out.sort((a, b) => b.count - a.count || compareValues(a.values, b.values))
    case 'count-asc':
      return out.sort((a, b) => a.count - b.count || compareValues(a.values, b.values))
    case 'value-asc':
      return out.sort((a, b) => compareValues(a.values, b.values))
    case 'value-desc':
      return out.sort((a, b) => compareValues(b.values, a.values))
  }
}

/** Counts rows by one or two columns. */
export class Stacker<T> {
  private readonly counts = new Map<string, number>()
  private total = 0

  /** `getters`: one getter per stacked column (one or two). */
  constructor(
    private readonly getters: readonly [(row: T) => StackValue, ((row: T) => StackValue)?]
  ) {
    if (getters.length < 1 || getters.length > 2) {
      throw new RangeError('a stack counts by one or two columns')
    }
  }

  /** Counts one row. */
  add(row: T): void {
    const [first, second] = this.getters
    const key =
      second === undefined ? text(first(row)) : `${text(first(row))}${SEP}${text(second(row))}`
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1)
    this.total += 1
  }

  /** The stack, sorted (most frequent first by default). */
  result(sort: StackSort = 'count-desc'): Stack {
    const entries: StackEntry[] = []
    for (const [key, count] of this.counts) {
      entries.push({
        values: key.split(SEP),
        count,
        share: this.total === 0 ? 0 : count / this.total
      })
    }
    return { total: this.total, distinct: entries.length, entries: sortStack(entries, sort) }
  }
}

/** Counts `rows` by one or two columns in one pass. */
export function stackCounts<T>(
  rows: Iterable<T>,
  getters: readonly [(row: T) => StackValue, ((row: T) => StackValue)?],
  sort: StackSort = 'count-desc'
): Stack {
  const stacker = new Stacker(getters)
  for (const row of rows) {
    stacker.add(row)
  }
  return stacker.result(sort)
}

/**
 * The filter that selects a stack entry's rows (click to filter): exact values, the empty value
 * matching empty cells, with the same getters the stack was counted with.
 */
export function stackEntryFilter<T>(
  getters: readonly [(row: T) => StackValue, ((row: T) => StackValue)?],
  entry: StackEntry
): (row: T) => boolean {
  return (row) => getters.every((get, i) => get === undefined || text(get(row)) === entry.values[i])
}
