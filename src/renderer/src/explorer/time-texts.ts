/**
 * The records' time texts rebuilt from the time column instead of kept in the pools. Purview
 * writes `CreationTime` as `2026-09-02T01:52:50` (UTC, whole seconds, no zone), one distinct text
 * per record or nearly: at a million records these texts were 19 MB of the pools' text. Where a
 * chunk's time text of a row is exactly {@link isoSeconds} of that row's time, the pool drops it
 * (left empty, as json-cover.ts and shared-values.ts drop theirs) and reads it back from the time.
 * The quick search finds them apart ({@link TimeNeedle}): only a needle of digits, `-`, `:` and
 * `t` can be in such a text. Pure.
 */

import { scratchInt32 } from './scratch'

const DAY_MS = 86_400_000

/** Two digits, 00–99. */
const TWO_DIGITS: readonly string[] = Array.from({ length: 100 }, (_, n) =>
  String(n).padStart(2, '0')
)

/** The date part (`YYYY-MM-DD`) of the days since the epoch, for the days met lately. */
const dateTexts = new Map<number, string>()
const DATES_KEPT = 4096

/** The characters a time text holds (either case: the search reads it lower-cased). */
const TIME_NEEDLE = /^[0-9:tT-]{1,19}$/

/** A time text's whole form. */
const TIME_TEXT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/

function dateText(day: number): string {
  let text = dateTexts.get(day)
  if (text === undefined) {
    if (dateTexts.size >= DATES_KEPT) {
      dateTexts.clear()
    }
    text = new Date(day * DAY_MS).toISOString().slice(0, 10)
    dateTexts.set(day, text)
  }
  return text
}

/** `HH:MM:SS` of a second of the day. */
function clockText(second: number): string {
  const hours = Math.floor(second / 3600)
  const minutes = Math.floor(second / 60) % 60
  return `${TWO_DIGITS[hours]!}:${TWO_DIGITS[minutes]!}:${TWO_DIGITS[second % 60]!}`
}

/** Whether a time has a text: a number in the years 0–9999. */
function hasTimeText(ms: number): boolean {
  return Number.isFinite(ms) && ms >= -62_167_219_200_000 && ms < 253_402_300_800_000
}

/**
 * A time (ms since the epoch) as Purview writes it, `YYYY-MM-DDTHH:MM:SS` in UTC (the
 * milliseconds left out); '' for a time without such a text (NaN, a year outside 0–9999).
 */
export function isoSeconds(ms: number): string {
  if (!hasTimeText(ms)) {
    return ''
  }
  const day = Math.floor(ms / DAY_MS)
  const second = Math.floor((ms - day * DAY_MS) / 1000)
  return `${dateText(day)}T${clockText(second)}`
}

/**
 * The values of a chunk's pool rebuilt from its rows' times: their own codes, ascending, and for
 * each a row (within the chunk) whose time gives its text.
 */
export interface TimeTexts {
  locals: Uint16Array | Uint32Array
  rows: Uint16Array | Uint32Array
}

/** A chunk's field values, row after row (row i's from `pairStart[i]`): where time texts are. */
export interface TimeTextSource {
  pairStart: Uint32Array
  pairValue: ArrayLike<number>
}

/** The length of every time text. */
const TIME_TEXT_LENGTH = 19

/**
 * The values of a chunk's pool that its rows' times rebuild: a row's field value (Purview's
 * `CreationTime`) whose text is exactly {@link isoSeconds} of the row's time (`times[i]`).
 * `lengthOf(code)` is a value's length (-1: not one the pool may drop), `isText(code, text)`
 * whether it is `text`; `isKept(code)` keeps a value. Null when none is.
 */
export function timeTexts(
  source: TimeTextSource,
  poolSize: number,
  times: ArrayLike<number>,
  lengthOf: (code: number) => number,
  isText: (code: number, text: string) => boolean,
  isKept: (code: number) => boolean = () => false
): TimeTexts | null {
  const { pairStart, pairValue } = source
  const count = pairStart.length - 1
  // Per code: the row (plus one) whose time gives it; 0 when none does (yet: a time text may be
  // another row's too), -1 when it is no time text.
  const rowOf = scratchInt32('time-texts.rowOf', poolSize, 0)
  let found = 0
  for (let i = 0; i < count; i++) {
    let text: string | null = null
    for (let p = pairStart[i]!; p < pairStart[i + 1]!; p++) {
      const code = pairValue[p]!
      if (rowOf[code] !== 0) {
        continue
      }
      if (lengthOf(code) !== TIME_TEXT_LENGTH || isKept(code)) {
        rowOf[code] = -1
        continue
      }
      text ??= isoSeconds(times[i]!)
      if (text !== '' && isText(code, text)) {
        rowOf[code] = i + 1
        found++
      }
    }
  }
  if (found === 0) {
    return null
  }
  const locals = poolSize <= 0x10000 ? new Uint16Array(found) : new Uint32Array(found)
  const rows = count <= 0x10000 ? new Uint16Array(found) : new Uint32Array(found)
  for (let code = 0, k = 0; k < found; code++) {
    if (rowOf[code]! > 0) {
      locals[k] = code
      rows[k++] = rowOf[code]! - 1
    }
  }
  return { locals, rows }
}

/** Bytes held by a chunk's time texts. */
export function timeTextsBytes(texts: TimeTexts): number {
  return texts.locals.byteLength + texts.rows.byteLength
}

/**
 * The code (among `texts`) of the value exactly equal to `value`, or -1: a time text is a time's
 * whole seconds.
 */
export function timeTextLocal(texts: TimeTexts, times: ArrayLike<number>, value: string): number {
  if (!TIME_TEXT.test(value)) {
    return -1
  }
  const ms = Date.parse(`${value}Z`)
  if (Number.isNaN(ms) || isoSeconds(ms) !== value) {
    return -1
  }
  const { locals, rows } = texts
  for (let k = 0; k < locals.length; k++) {
    if (Math.floor(times[rows[k]!]! / 1000) * 1000 === ms) {
      return locals[k]!
    }
  }
  return -1
}

/**
 * A quick search's needle read in time texts (either case), or null when no time text can hold
 * it. A time text is a date (`YYYY-MM-DD`), a `T` and a clock (`HH:MM:SS`): a needle without
 * `T` lies within the date or within the clock; a needle with one is the end of a date, the `T`
 * and the start of a clock. So each day and each second of the day is tested once per needle,
 * not each value.
 */
export class TimeNeedle {
  /** What the date must hold (without `T`), or end with (with one); null: the date cannot. */
  private readonly inDate: string | null
  /** What the clock must hold (without `T`), or start with (with one); null: the clock cannot. */
  private readonly inClock: string | null
  /** Whether the needle holds the `T` (both parts must then match, else either). */
  private readonly isAcross: boolean
  /** Per second of the day: 0 not tested yet, 1 the clock matches, 2 it does not. */
  private readonly seconds = new Uint8Array(DAY_MS / 1000)
  /**
   * Per day from {@link firstDay} (two thousand years on the first day met): 0 not tested yet,
   * 1 the date matches, 2 it does not; days further off are tested each time.
   */
  private readonly days = new Uint8Array(1 << 20)
  private firstDay = Number.NaN

  private constructor(upper: string) {
    const t = upper.indexOf('T')
    this.isAcross = t >= 0
    if (this.isAcross) {
      this.inDate = upper.slice(0, t)
      this.inClock = upper.slice(t + 1)
    } else {
      // A date holds no `:`, a clock no `-`.
      this.inDate = upper.includes(':') ? null : upper
      this.inClock = upper.includes('-') ? null : upper
    }
  }

  static of(needle: string): TimeNeedle | null {
    const upper = needle.toUpperCase()
    // (A time text holds one `T`.)
    return TIME_NEEDLE.test(needle) && upper.indexOf('T') === upper.lastIndexOf('T')
      ? new TimeNeedle(upper)
      : null
  }

  private isDateIn(day: number): boolean {
    if (Number.isNaN(this.firstDay)) {
      this.firstDay = day - (1 << 19)
    }
    const at = day - this.firstDay
    const known = known3(this.days, at)
    if (known !== 0) {
      return known === 1
    }
    const date = dateText(day)
    return remember(
      this.days,
      at,
      this.inDate !== null &&
        (this.isAcross ? date.endsWith(this.inDate) : date.includes(this.inDate))
    )
  }

  private isClockIn(second: number): boolean {
    const known = known3(this.seconds, second)
    if (known !== 0) {
      return known === 1
    }
    const clock = clockText(second)
    return remember(
      this.seconds,
      second,
      this.inClock !== null &&
        (this.isAcross ? clock.startsWith(this.inClock) : clock.includes(this.inClock))
    )
  }

  /** Whether the time text of `ms` holds the needle. */
  isIn(ms: number): boolean {
    return hasTimeText(ms) && this.holds(ms)
  }

  /** {@link isIn} for a time that has a text. */
  private holds(ms: number): boolean {
    const day = Math.floor(ms / DAY_MS)
    if (this.isAcross) {
      return this.isDateIn(day) && this.isClockIn(Math.floor((ms - day * DAY_MS) / 1000))
    }
    return (
      (this.inDate !== null && this.isDateIn(day)) ||
      (this.inClock !== null && this.isClockIn(Math.floor((ms - day * DAY_MS) / 1000)))
    )
  }

  /** The codes (ascending) of `texts` whose text holds the needle; `times`: the chunk's rows'. */
  hits(texts: TimeTexts, times: Float64Array): number[] {
    const { locals, rows } = texts
    const found: number[] = []
    for (let k = 0; k < locals.length; k++) {
      // (Every time here has a text: its value was taken for it.)
      if (this.holds(times[rows[k]!]!)) {
        found.push(locals[k]!)
      }
    }
    return found
  }
}

/** What `table[at]` remembers: 0 not tested yet (or outside the table), 1 true, 2 false. */
function known3(table: Uint8Array, at: number): number {
  return at >= 0 && at < table.length ? table[at]! : 0
}

/** Remembers `isIn` in `table[at]` (when inside it); returns it. */
function remember(table: Uint8Array, at: number, isIn: boolean): boolean {
  if (at >= 0 && at < table.length) {
    table[at] = isIn ? 1 : 2
  }
  return isIn
}
