/**
 * How many times each cached record arrived again after it was stored (duplicates by design: the
 * Management API, overlapping windows and re-imported files repeat records). Kept per chunk, as
 * one count per row of the chunk, so a batch of repeats costs one read and one write per chunk it
 * touches, not one IndexedDB row per repeated Id; the cache's total is kept in the meta row.
 * Pure: no Dexie.
 */

/** The duplicate counts of chunk `n`: `counts[i]` for the chunk's row i. */
export interface ChunkDuplicates {
  n: number
  counts: Uint32Array
}

/** Repeats of a batch: row over the whole cache → how many times it arrived again. */
export type RepeatRows = Map<number, number>

/** Where the chunks start and how many rows the cache has (to place a row in its chunk). */
export interface ChunkLayout {
  /** First row of chunk n, for every chunk (ascending). */
  firstRows: readonly number[]
  /** Rows over all chunks. */
  rows: number
}

/** The chunk holding `row` (binary search over the chunks' first rows). */
export function chunkOfRow(firstRows: readonly number[], row: number): number {
  let lo = 0
  let hi = firstRows.length - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1
    if (firstRows[mid]! <= row) {
      lo = mid
    } else {
      hi = mid - 1
    }
  }
  return lo
}

/** The repeats grouped by chunk: chunk n → [row index within the chunk, count] pairs. */
export function repeatsByChunk(
  repeats: RepeatRows,
  layout: ChunkLayout
): Map<number, Array<[number, number]>> {
  const out = new Map<number, Array<[number, number]>>()
  repeats.forEach((count, row) => {
    if (row < 0 || row >= layout.rows) {
      throw new RangeError(`a repeat of row ${row} outside the cache's ${layout.rows} rows`)
    }
    const n = chunkOfRow(layout.firstRows, row)
    let list = out.get(n)
    if (!list) {
      list = []
      out.set(n, list)
    }
    list.push([row - layout.firstRows[n]!, count])
  })
  return out
}

/** The rows of chunk `n` (the last chunk ends at the cache's last row). */
export function chunkSize(layout: ChunkLayout, n: number): number {
  const next = layout.firstRows[n + 1] ?? layout.rows
  return next - layout.firstRows[n]!
}

/**
 * Adds a batch's repeats, grouped by {@link repeatsByChunk}, to the stored counts: `current(n)`
 * is chunk n's stored counts (undefined when it has none yet). Returns the rows to write and the
 * number of repeats added.
 */
export function addRepeats(
  grouped: ReadonlyMap<number, ReadonlyArray<readonly [number, number]>>,
  layout: ChunkLayout,
  current: ReadonlyMap<number, ChunkDuplicates | undefined>
): { rows: ChunkDuplicates[]; added: number } {
  const rows: ChunkDuplicates[] = []
  let added = 0
  grouped.forEach((pairs, n) => {
    const size = chunkSize(layout, n)
    const stored = current.get(n)?.counts
    const counts = new Uint32Array(size)
    if (stored) {
      counts.set(stored.subarray(0, size))
    }
    for (const [index, count] of pairs) {
      counts[index] = counts[index]! + count
      added += count
    }
    rows.push({ n, counts })
  })
  return { rows, added }
}
