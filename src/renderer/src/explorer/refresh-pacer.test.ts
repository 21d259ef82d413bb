import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { RefreshPacer, progressRefreshDelay } from './refresh-pacer'

describe('RefreshPacer', () => {
  let clock = 0
  let refreshes: number[] = []
  let pacer: RefreshPacer

  beforeEach(() => {
    vi.useFakeTimers()
    clock = 0
    refreshes = []
    pacer = new RefreshPacer(
      () => refreshes.push(clock),
      () => clock
    )
  })
  afterEach(() => {
    pacer.dispose()
    vi.useRealTimers()
  })

  /** Moves the clock and the timers to `at` ms. */
  const advanceTo = (at: number): void => {
    const by = at - clock
    clock = at
    vi.advanceTimersByTime(by)
  }

  it('refreshes an opening at once, then further and further apart, and at its end', () => {
    // A progress message every 100 ms for a minute (an opening of millions of records).
    for (let at = 0; at <= 60_000; at += 100) {
      advanceTo(at)
      pacer.note('progress')
    }
    expect(refreshes).toEqual([0, 1500, 4500, 10_500, 22_500, 37_500, 52_500])
    // A fixed 1.5 s cadence would have made 41 refreshes over the same minute.
    advanceTo(60_050)
    pacer.refreshNow()
    expect(refreshes.at(-1)).toBe(60_050)
  })

  it('refreshes streaming commits at most once a second, the latest one always', () => {
    advanceTo(0)
    pacer.note('changed')
    advanceTo(200)
    pacer.note('changed')
    advanceTo(700)
    pacer.note('changed')
    // The trailing refresh comes a second after the first, for the commits since.
    expect(refreshes).toEqual([0])
    advanceTo(1000)
    expect(refreshes).toEqual([0, 1000])
    // Quiet for a while: the next commit refreshes at once.
    advanceTo(5000)
    pacer.note('changed')
    expect(refreshes).toEqual([0, 1000, 5000])
  })

  it('a progress message never leaves a refresh pending; dispose drops a pending one', () => {
    pacer.note('progress')
    advanceTo(100)
    pacer.note('progress')
    advanceTo(10_000)
    expect(refreshes).toEqual([0])
    pacer.note('changed')
    advanceTo(10_100)
    pacer.note('changed')
    pacer.dispose()
    advanceTo(20_000)
    expect(refreshes).toEqual([0, 10_000])
  })

  it('waits 1.5 s after the first refresh, doubling up to 15 s', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map(progressRefreshDelay)).toEqual([
      1500, 3000, 6000, 12_000, 15_000, 15_000, 15_000
    ])
  })
})
