import { describe, expect, it } from 'vitest'

import { poolOf } from '../db/record-chunk'

import { GlobalPool } from './global-pool'
import { TimeNeedle, isoSeconds, timeTextLocal, timeTexts } from './time-texts'

let state = 20261207
function rand(n: number): number {
  state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff
  return state % n
}

const T0 = Date.UTC(2026, 8, 2, 1, 52, 50)

/** A time within a few years either side of 2026, whole seconds or not. */
function randomTime(): number {
  return T0 + (rand(1 << 30) - (1 << 29)) * 1000 + (rand(4) === 0 ? rand(1000) : 0)
}

describe('isoSeconds', () => {
  it('writes a time as Purview does: toISOString to the second, without the zone', () => {
    for (let i = 0; i < 5000; i++) {
      const ms =
        i < 10 ? [0, -1, -1000, 951_782_400_000, 253_402_300_799_999][i % 5]! : randomTime()
      expect(isoSeconds(ms)).toBe(new Date(ms).toISOString().slice(0, 19))
    }
    expect(isoSeconds(T0)).toBe('2026-09-02T01:52:50')
  })

  it('has no text for a time outside four-digit years, or no time', () => {
    expect(isoSeconds(Number.NaN)).toBe('')
    expect(isoSeconds(Date.UTC(10000, 0, 1))).toBe('')
    expect(isoSeconds(Date.parse('0000-01-01T00:00:00Z'))).toBe('0000-01-01T00:00:00')
    expect(isoSeconds(Date.parse('0000-01-01T00:00:00Z') - 1)).toBe('')
  })
})

describe('TimeNeedle', () => {
  it('finds a needle in a time text exactly where the text holds it', () => {
    const times = Array.from({ length: 3000 }, randomTime)
    const needles = new Set<string>([
      't',
      '-',
      ':',
      '0',
      '2026',
      '09-02',
      '02t01',
      ':5',
      '50',
      '2t',
      't0',
      '-02t01:5',
      'tt'
    ])
    for (const ms of times.slice(0, 300)) {
      const text = isoSeconds(ms).toLowerCase()
      const from = rand(text.length)
      needles.add(text.slice(from, from + 1 + rand(text.length - from)))
    }
    for (let i = 0; i < 100; i++) {
      needles.add(Array.from({ length: 1 + rand(5) }, () => '0123456789:t-'[rand(13)]).join(''))
    }
    for (const needle of needles) {
      const search = TimeNeedle.of(needle)
      if (search === null) {
        // (Two `t`s: no time text holds it.)
        expect(needle.indexOf('t'), needle).not.toBe(needle.lastIndexOf('t'))
        expect(times.filter((ms) => isoSeconds(ms).toLowerCase().includes(needle))).toEqual([])
        continue
      }
      const wrong = times.filter(
        (ms) => search.isIn(ms) !== isoSeconds(ms).toLowerCase().includes(needle)
      )
      expect(wrong.map(isoSeconds), needle).toEqual([])
    }
  })

  it('is no needle of a time text when a character cannot be in one', () => {
    for (const needle of ['', 'a7', '10.3', '2026-09-02t01:52:50z', ' 2026', '01:52:50.0', 't1t']) {
      expect(TimeNeedle.of(needle), needle).toBeNull()
    }
  })
})

describe('timeTexts', () => {
  // Row i's fields: its own time text, or another row's, or another form of it, or another length.
  const rowTimes = [T0, T0 + 60_000, T0 + 120_500, T0 + 180_000, Number.NaN]
  const values = [
    isoSeconds(T0), // 0: row 0's
    isoSeconds(T0 + 60_000), // 1: row 1's, and row 3's other field
    `${isoSeconds(T0 + 120_000)}.500Z`, // 2: another form
    isoSeconds(T0 + 120_000), // 3: row 2's, to the second
    'User 1093', // 4
    isoSeconds(T0 + 999_000) // 5: no row's time
  ]
  // Row 3 holds row 1's text before its own (value 6, kept apart by `isKept`).
  const pairValue = Uint16Array.from([0, 4, 1, 2, 3, 4, 1, 6, 5])
  const pairStart = Uint32Array.from([0, 2, 3, 5, 8, 9])
  values.push(isoSeconds(T0 + 180_000))
  const { text, starts } = poolOf(values)
  const lengthOf = (code: number): number => starts[code + 1]! - 1 - starts[code]!
  const isText = (code: number, time: string): boolean => text.startsWith(time, starts[code]!)

  it('takes the values a row holds as its own time text, each once, with a row that rebuilds it', () => {
    const found = timeTexts(
      { pairStart, pairValue },
      values.length,
      rowTimes,
      lengthOf,
      isText,
      (code) => code === 6
    )!
    expect([...found.locals]).toEqual([0, 1, 3])
    expect([...found.rows]).toEqual([0, 1, 2])
    for (let k = 0; k < found.locals.length; k++) {
      expect(isoSeconds(rowTimes[found.rows[k]!]!)).toBe(values[found.locals[k]!])
    }
    expect(timeTextLocal(found, rowTimes, values[3]!)).toBe(3)
    expect(timeTextLocal(found, rowTimes, values[5]!)).toBe(-1)
    expect(timeTextLocal(found, rowTimes, values[2]!)).toBe(-1)
  })

  it('takes none from rows whose fields hold no time text of theirs', () => {
    expect(
      timeTexts(
        { pairStart: Uint32Array.from([0, 1, 2]), pairValue: Uint16Array.from([4, 5]) },
        values.length,
        rowTimes,
        lengthOf,
        isText
      )
    ).toBeNull()
  })
})

describe('a pool that rebuilds its time texts', () => {
  const count = 2000
  const rowTimes = Array.from({ length: count }, randomTime)
  // Per row: its time text (now and then another form), a user, and now and then another
  // row's time text.
  const values: string[] = []
  const codeOf = new Map<string, number>()
  const code = (value: string): number => {
    let found = codeOf.get(value)
    if (found === undefined) {
      found = values.length
      values.push(value)
      codeOf.set(value, found)
    }
    return found
  }
  const pairs: number[] = []
  const pairStart = new Uint32Array(count + 1)
  for (let i = 0; i < count; i++) {
    const own = new Date(rowTimes[i]!).toISOString()
    pairs.push(code(rand(10) === 0 ? own : own.slice(0, 19)), code(`User ${rand(50)}`))
    if (rand(5) === 0) {
      pairs.push(code(isoSeconds(rowTimes[rand(count)]!)))
    }
    pairStart[i + 1] = pairs.length
  }
  const pairValue = Uint16Array.from(pairs)

  function pools(): { plain: GlobalPool; timed: GlobalPool } {
    const make = (): GlobalPool => {
      const pool = new GlobalPool()
      const { text, starts } = poolOf(values)
      pool.add(text, '', starts)
      return pool
    }
    const plain = make()
    plain.prepareSearch(0)
    const timed = make()
    const times = Float64Array.from(rowTimes)
    timed.prepareSearch(0, null, null, { pairStart, pairValue, of: () => times })
    return { plain, timed }
  }

  it('drops them from its text and reads them back as they were', () => {
    const { plain, timed } = pools()
    const dropped = timed.chunks[0]!.times!.texts.locals.length
    expect(dropped).toBeGreaterThan(count * 0.8)
    expect(plain.bytes().text - timed.bytes().text).toBe(dropped * 19)
    for (let k = 0; k < values.length; k++) {
      expect(timed.value(k)).toBe(values[k])
      expect(timed.find(0, values[k]!)).toBe(k)
    }
  })

  it('marks the values holding a needle as the pool that keeps them does', () => {
    const { plain, timed } = pools()
    const needles = ['2026', '-0', ':1', 't0', '02t', '5:0', 'user 1', 'r 4', '', 'z', '.', 'T2']
    for (let i = 0; i < 40; i++) {
      const value = values[rand(values.length)]!.toLowerCase()
      const from = rand(value.length)
      needles.push(value.slice(from, from + 1 + rand(6)))
    }
    for (const needle of needles) {
      expect(timed.mark(needle), needle).toEqual(plain.mark(needle))
    }
  })
})
