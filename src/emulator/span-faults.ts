/**
 * Faults aimed at a span of time (`listingFaults`, `graphQueryFaults`): which one, if any, applies
 * to a request for `[start, end)`, counting uses so a fault with `times` wears off.
 */

/** One span fault as configured (see FaultConfigSchema). */
export interface SpanFault<F> {
  from: string
  to: string
  fault: F
  times?: number | undefined
}

/**
 * Picks span faults, remembering how often each configured fault was used. A new fault list (set
 * through the test hooks) brings new objects and so fresh counts.
 */
export class SpanFaultPicker {
  private readonly used = new WeakMap<object, number>()

  /** The first fault whose span overlaps `[start, end)` and has uses left; counts the use. */
  pick<F>(faults: readonly SpanFault<F>[], start: number, end: number): F | undefined {
    for (const f of faults) {
      if (!(Date.parse(f.from) < end && Date.parse(f.to) > start)) {
        continue
      }
      const used = this.used.get(f) ?? 0
      if (f.times !== undefined && used >= f.times) {
        continue
      }
      this.used.set(f, used + 1)
      return f.fault
    }
    return undefined
  }
}
