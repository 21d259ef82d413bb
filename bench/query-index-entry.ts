// The measured code of query-index.bench.mjs (bundled by it with Vite, run under Node): the
// Explorer's query engine over the cache's own column chunks — exactly what the query worker runs
// once IndexedDB has handed it the chunks — and, from the same chunks, the floor any opening pays:
// one read of every stored code, time and field pair.
import { normalizeRecord, type NormalizedRecord } from '../src/shared/audit'
import { encodeChunk, type ColumnChunk } from '../src/renderer/src/db/record-chunk'
import { ColumnIndex } from '../src/renderer/src/explorer/column-index'
import { emptyQuery, type ExplorerQuery } from '../src/renderer/src/explorer/query-types'
import type { StackSort } from '../src/shared/explorer'

import { STACK_PLAN } from './stack-plan.mjs'

const CHUNK = 4096
/** As query-engine.ts reads them: one chunk first (first rows), then up to twelve at a time. */
const FIRST_LOAD_CHUNKS = 1
const LOAD_CHUNKS = 12

/** Normalizes and encodes raw records as the cache's column chunks (not measured). */
export function makeChunks(raws: Iterable<unknown>): ColumnChunk[] {
  const chunks: ColumnChunk[] = []
  let batch: NormalizedRecord[] = []
  let firstRow = 0
  const flush = (): void => {
    const columns = encodeChunk(batch).columns
    chunks.push({ ...columns, n: chunks.length, firstRow })
    firstRow += batch.length
    batch = []
  }
  for (const raw of raws) {
    const result = normalizeRecord({ rawText: JSON.stringify(raw), parsed: raw })
    if (result.ok) {
      batch.push(result.record)
    }
    if (batch.length === CHUNK) {
      flush()
    }
  }
  if (batch.length > 0) {
    flush()
  }
  return chunks
}

/** Reads every code, time and field pair of every chunk once: what any opening pays at least. */
export function readFloor(chunks: readonly ColumnChunk[]): number {
  let sum = 0
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.codes.length; i++) {
      sum += chunk.codes[i]!
    }
    for (let i = 0; i < chunk.times.length; i++) {
      sum += chunk.times[i]!
    }
    for (let i = 0; i < chunk.pairValue.length; i++) {
      sum += chunk.pairValue[i]! + chunk.pairKey[i]!
    }
  }
  return sum
}

function timed<T>(run: () => T): { value: T; ms: number } {
  const t0 = performance.now()
  const value = run()
  return { value, ms: performance.now() - t0 }
}

/** A grid page: the first 100 rows of a query's answer, as the grid asks for them. */
function page(index: ColumnIndex, query: ExplorerQuery, start = 0): number {
  const result = index.run(query)
  const end = Math.min(result.rows.length, start + 100)
  let n = 0
  for (let k = start; k < end; k++) {
    n += index.gridRow(result.rows[k]!).id.length
  }
  return n
}

export interface Figures {
  firstRowsMs: number
  readyMs: number
  appendMs: number
  searchPrepMs: number
  filterMs: number[]
  searchMs: number[]
  stackMs: number[]
  sortMs: number[]
  pageMs: number[]
  typedBytes: number
  /** The pools' text, value offsets and shared values' places, once every chunk is prepared. */
  poolBytes: { text: number; offsets: number; shared: number }
}

/** Opens the chunks as the worker does, then filters, searches, stacks, sorts and pages. */
export function explore(chunks: readonly ColumnChunk[], searchTerms: readonly string[]): Figures {
  const index = new ColumnIndex()
  const rows = chunks.reduce((n, chunk) => n + chunk.count, 0)
  const query = emptyQuery()
  const t0 = performance.now()
  index.reserve(rows)
  let appendMs = 0
  let firstRowsMs = 0
  for (let c = 0; c < chunks.length;) {
    const take = c === 0 ? FIRST_LOAD_CHUNKS : LOAD_CHUNKS
    appendMs += timed(() => index.appendChunks(chunks.slice(c, c + take))).ms
    if (c === 0) {
      page(index, query)
      firstRowsMs = performance.now() - t0
    }
    c += take
  }
  page(index, query)
  const readyMs = performance.now() - t0
  // What the worker does next while idle: the quick search's filters (trigrams, value spans).
  const searchPrepMs = timed(() => index.prepareSearch(Infinity)).ms

  // Facet and range changes, as the bench in the browser makes them: each value on, then off.
  const summary = index.run(query)
  const filterMs: number[] = []
  const facetColumns = ['activity', 'userId', 'environment', 'connector', 'category'] as const
  for (let i = 0; i < 40; i++) {
    const column = facetColumns[i % facetColumns.length]!
    const values = summary.facets[column]
    const value = values[Math.floor(i / facetColumns.length) % values.length]!.value
    const on: ExplorerQuery = { ...query, facets: { [column]: [value] } }
    filterMs.push(timed(() => page(index, on)).ms)
    filterMs.push(timed(() => page(index, query)).ms)
  }
  // The date range: the last 30 days of the data, then everything again.
  const { startMs, bucketMs, counts } = summary.histogram
  const month: ExplorerQuery = {
    ...query,
    fromMs: startMs + bucketMs * counts.length - 30 * 86_400_000
  }
  filterMs.push(timed(() => page(index, month)).ms)
  filterMs.push(timed(() => page(index, query)).ms)

  const searchMs = searchTerms.map(
    (term) => timed(() => page(index, { ...query, quickSearch: term })).ms
  )

  const plan: (readonly [string, string])[] = [
    ...STACK_PLAN,
    // Flattened fields: one that repeats a column (ClientIP), two that do not.
    ['f:ClientIP', ''],
    ['f:UserKey', ''],
    ['f:Workload', 'f:ClientIP']
  ]
  const stackSort: StackSort = 'count-desc'
  const stackMs = plan.map(
    ([a, b]) => timed(() => index.stack(query, b === '' ? [a] : [a, b], stackSort, 500)).ms
  )
  const sortMs = ['userId', 'activity', 'clientIp', 'createdAt', 'f:UserId'].map(
    (colId) => timed(() => page(index, { ...query, sort: [{ colId, sort: 'asc' }] })).ms
  )
  // Scrolling: pages of 100 rows far apart in the newest-first order.
  const pageMs: number[] = []
  for (let k = 0; k < 60; k++) {
    const start = Math.floor((((k * 7919) % 997) / 997) * Math.max(0, rows - 100))
    pageMs.push(timed(() => page(index, query, start)).ms)
  }
  return {
    firstRowsMs,
    readyMs,
    appendMs,
    searchPrepMs,
    filterMs,
    searchMs,
    stackMs,
    sortMs,
    pageMs,
    typedBytes: index.typedBytes(),
    poolBytes: index.poolBytes()
  }
}
