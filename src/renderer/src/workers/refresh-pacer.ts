/**
 * When a view re-asks its worker (the Explorer: counts, facets, histogram and grid rows; the
 * governance views: the overview) as the worker reports changes. Each re-query reads every row
 * loaded so far, so it must not follow every message:
 *
 * - `changed` (commits streaming in: a sync, an import): at most once a second (or as often as
 *   the view asks), the first at once (first rows) and the latest always (a trailing refresh);
 * - `progress` (the cache being opened): the first at once, then further and further apart
 *   ({@link progressRefreshDelay}), with no trailing refresh: the end of the opening refreshes
 *   at once ({@link RefreshPacer.refreshNow}). A refresh that falls due when the opening, at
 *   the rate it has loaded so far, will end before the next one would is skipped: the end's
 *   refresh comes sooner, and a pass over most of the rows would only delay it.
 *
 * Pure but for timers; the clock is injectable for tests.
 */

/** At most one refresh a second while commits stream in. */
const CHANGED_REFRESH_MS = 1000
/** The first wait between refreshes while a cache is being opened, and the longest. */
const PROGRESS_REFRESH_MS = 1500
const PROGRESS_REFRESH_MAX_MS = 15_000

/**
 * How long after the last refresh the opening's progress refreshes the view again, once
 * `refreshes` progress refreshes were made after the first: 1.5 s, doubling up to 15 s. At a
 * fixed 1.5 s an opening cost quadratically: ~30 passes over a growing index, ~10 s of a
 * five-million-record opening's 46 s. The status line follows every progress message all the
 * same.
 */
export function progressRefreshDelay(refreshes: number): number {
  return Math.min(PROGRESS_REFRESH_MAX_MS, PROGRESS_REFRESH_MS * 2 ** Math.max(0, refreshes))
}

/** How far an opening has got: rows indexed so far, of all it will index. */
export interface OpeningProgress {
  indexed: number
  total: number
}

export class RefreshPacer {
  private last = Number.NEGATIVE_INFINITY
  private progressRefreshes = 0
  private trailing: ReturnType<typeof setTimeout> | undefined
  /** When the opening's first progress came, and the rows indexed then (its rate is from here). */
  private openingStart: { at: number; indexed: number } | null = null

  private readonly changedEveryMs: number
  private readonly now: () => number

  /**
   * @param options.changedEveryMs the least time between two refreshes for `changed` messages
   *   (default a second).
   * @param options.now the clock (tests); `performance.now()` by default.
   */
  constructor(
    private readonly onRefresh: () => void,
    options: { changedEveryMs?: number; now?: () => number } = {}
  ) {
    this.changedEveryMs = options.changedEveryMs ?? CHANGED_REFRESH_MS
    this.now = options.now ?? (() => performance.now())
  }

  /**
   * A message from the worker: refreshes now, later (a trailing refresh), or not. `progress`
   * tells how far an opening has got (without it, no refresh is skipped for ending soon).
   */
  note(event: 'progress' | 'changed', progress?: OpeningProgress): void {
    const now = this.now()
    if (event === 'progress' && progress && !this.openingStart) {
      this.openingStart = { at: now, indexed: progress.indexed }
    }
    const delay =
      event === 'changed' ? this.changedEveryMs : progressRefreshDelay(this.progressRefreshes)
    const wait = this.last + delay - now
    if (wait <= 0) {
      if (event === 'progress' && this.last !== Number.NEGATIVE_INFINITY) {
        if (
          progress &&
          this.endsWithin(progress, now, progressRefreshDelay(this.progressRefreshes + 1))
        ) {
          return
        }
        // (The first refresh is at once; the waits after it grow.)
        this.progressRefreshes++
      }
      this.refreshNow()
    } else if (event === 'changed') {
      this.trailing ??= setTimeout(() => this.refreshNow(), wait)
    }
  }

  /** Whether the opening, at its rate so far, indexes the rest within `ms`. */
  private endsWithin(progress: OpeningProgress, now: number, ms: number): boolean {
    const start = this.openingStart
    const rows = progress.indexed - (start?.indexed ?? 0)
    const elapsed = now - (start?.at ?? now)
    if (rows <= 0 || elapsed <= 0) {
      return false
    }
    return ((progress.total - progress.indexed) * elapsed) / rows <= ms
  }

  /** Refreshes at once (rows already loaded, the end of an opening). */
  refreshNow(): void {
    clearTimeout(this.trailing)
    this.trailing = undefined
    this.last = this.now()
    this.onRefresh()
  }

  /** Drops a pending trailing refresh (the view is going away). */
  dispose(): void {
    clearTimeout(this.trailing)
    this.trailing = undefined
  }
}
