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
    pacer = new RefreshPacer(() => refreshes.push(clock), { now: () => clock })
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

  it('skips a refresh of an opening that will end before the next one would come', () => {
    // A million rows indexed steadily over 2.5 s (a progress message every 100 ms): at 1.5 s a
    // refresh falls due, but the last million rows come within the 3 s it would wait next.
    for (let at = 0; at <= 2400; at += 100) {
      advanceTo(at)
      pacer.note('progress', { indexed: 4096 + (at / 2500) * 995_904, total: 1_000_000 })
    }
    expect(refreshes).toEqual([0])
    advanceTo(2500)
    pacer.refreshNow()
    expect(refreshes).toEqual([0, 2500])
  })

  it('still refreshes a long opening further and further apart, skipping only near its end', () => {
    // Five million rows over a minute: the refresh due at 52.5 s is skipped (7.5 s are left, and
    // the next would wait 15 s); those before it are made.
    for (let at = 0; at <= 60_000; at += 100) {
      advanceTo(at)
      pacer.note('progress', { indexed: (at / 60_000) * 5_000_000, total: 5_000_000 })
    }
    expect(refreshes).toEqual([0, 1500, 4500, 10_500, 22_500, 37_500])
  })

  it('measures the rate from the first progress, so rows already loaded do not speed it up', () => {
    // Half the rows were loaded before this view opened (a kept worker); the rest come slowly.
    for (let at = 0; at <= 3000; at += 100) {
      advanceTo(at)
      pacer.note('progress', { indexed: 500_000 + at * 10, total: 1_000_000 })
    }
    // At 1.5 s: 485,000 rows left at 10 a millisecond is 48.5 s, so the refresh is made.
    expect(refreshes).toEqual([0, 1500])
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

  it('refreshes streaming commits as seldom as the view asks', () => {
    const slower = new RefreshPacer(() => refreshes.push(clock), {
      now: () => clock,
      changedEveryMs: 2000
    })
    advanceTo(0)
    slower.note('changed')
    advanceTo(1500)
    slower.note('changed')
    advanceTo(1999)
    expect(refreshes).toEqual([0])
    advanceTo(2000)
    expect(refreshes).toEqual([0, 2000])
    slower.dispose()
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
