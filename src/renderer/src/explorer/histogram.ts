/**
 * The histogram of events over time for the rows a query keeps: about 80 buckets of a "nice"
 * width (a second, a minute… a month). Pure.
 */
import type { Histogram } from './query-types'

const HISTOGRAM_BUCKETS = 80
const NICE_STEPS = [
  1000,
  60_000,
  5 * 60_000,
  15 * 60_000,
  3_600_000,
  3 * 3_600_000,
  6 * 3_600_000,
  12 * 3_600_000,
  86_400_000,
  7 * 86_400_000,
  30 * 86_400_000
]

/** Counts of `rows` per time bucket between `min` and `max`. */
export function histogramOf(
  times: Float64Array,
  rows: Uint32Array,
  min: number | null,
  max: number | null
): Histogram {
  if (min === null || max === null || max <= min) {
    return { startMs: min ?? 0, bucketMs: 3_600_000, counts: [] }
  }
  const span = max - min
  const bucketMs =
    NICE_STEPS.find((step) => span / step <= HISTOGRAM_BUCKETS) ??
    Math.ceil(span / HISTOGRAM_BUCKETS)
  const startMs = Math.floor(min / bucketMs) * bucketMs
  const buckets = Math.max(1, Math.ceil((max - startMs) / bucketMs))
  const counts = new Array<number>(buckets).fill(0)
  for (let k = 0; k < rows.length; k++) {
    const b = Math.floor((times[rows[k]!]! - startMs) / bucketMs)
    if (b >= 0 && b < buckets) {
      counts[b]!++
    }
  }
  return { startMs, bucketMs, counts }
}
