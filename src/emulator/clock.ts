/** The emulator's notion of "now", controlled by tests. */
export interface EmulatorClock {
  /** The current emulated time. */
  now(): Date
  /** Jumps to a time (running clocks keep running from there). */
  set(d: Date): void
  /** Moves the clock forward (or backward with a negative value). */
  advance(ms: number): void
}

/**
 * Creates a clock. A frozen clock moves only through `set`/`advance` (tests); a running clock
 * follows real time plus an offset (the standalone emulator).
 */
export function createClock(initial: Date | undefined): EmulatorClock {
  const isFrozen = initial !== undefined
  let fixed = initial ? initial.getTime() : Date.now()
  let offset = 0
  return {
    now: () => new Date(isFrozen ? fixed : Date.now() + offset),
    set: (d) => {
      if (isFrozen) {
        fixed = d.getTime()
      } else {
        offset = d.getTime() - Date.now()
      }
    },
    advance: (ms) => {
      if (isFrozen) {
        fixed += ms
      } else {
        offset += ms
      }
    }
  }
}
