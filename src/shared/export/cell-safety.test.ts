import { describe, expect, it } from 'vitest'

import { isSpaceCode, needsTextGuard, neutralizeFormula, scanNumberLike } from './cell-safety'

/**
 * The regular expressions the guard used before issue 10 item 7, kept here only as the oracle the
 * linear scanner must agree with on short inputs (where their backtracking costs nothing).
 */
const OLD_NUMBER_LIKE = /^\s*[+-]?(\d[\d,]*)?(\.\d*)?([eE][+-]?\d+)?\s*$/
const OLD_DATE_LIKE = /^\s*\d{1,4}[-/.]\d{1,2}([-/.]\d{1,4})?\s*$/
function oldNeedsTextGuard(value: string, isId: boolean): boolean {
  if (!/\d/.test(value)) {
    return false
  }
  if (OLD_DATE_LIKE.test(value)) {
    return isId
  }
  if (!OLD_NUMBER_LIKE.test(value)) {
    return false
  }
  if (isId) {
    return true
  }
  const digits = value.replace(/[^\d]/g, '')
  return digits.length > 15 || /^\s*[+-]?0\d/.test(value) || /[eE]/.test(value)
}

const TABLE = [
  '',
  '42',
  '-1.5e3',
  '+1.5E-3',
  '1,234,567.89',
  '.5',
  '5.',
  '1e',
  '1e+',
  'e5',
  '1234E5',
  '0012',
  '-0012',
  '0',
  '0.5',
  '1234567890123456',
  '123456789012345',
  ' 42 ',
  '\t42\n',
  '\u00a042\u3000',
  '+1 (555) 010-0199',
  '+44 20 7946 0958',
  '555-0199',
  '(555) 010-0199',
  '3-12',
  '2026-05-19',
  '2026/5/19',
  '19.05.26',
  '12345-1',
  '1-123',
  '1-1-12345',
  '1.2.3.4',
  '203.0.113.7',
  'e2a84675-8952-4d91-a2ea-4d89f310f1a7',
  '1 2',
  '--1',
  '+-1',
  '1,,2',
  ',1',
  '1e5e5',
  '=1+1',
  '@SUM(A1)',
  'abc',
  '٣',
  '1\u2028',
  '\ufeff7'
]

describe('needsTextGuard without the quadratic regex (issue 10 item 7)', () => {
  it.each(TABLE)('answers %j as the regex did, for id and text columns', (value) => {
    expect(needsTextGuard(value, true)).toBe(oldNeedsTextGuard(value, true))
    expect(needsTextGuard(value, false)).toBe(oldNeedsTextGuard(value, false))
  })

  it('keeps numbers and phone numbers what they were', () => {
    expect(needsTextGuard('-1.5e3', false)).toBe(true)
    expect(needsTextGuard('42', false)).toBe(false)
    expect(needsTextGuard('1,234.5', false)).toBe(false)
    expect(needsTextGuard('+1 (555) 010-0199', false)).toBe(false)
    expect(needsTextGuard('555-0199', true)).toBe(false)
    expect(needsTextGuard('3-12', true)).toBe(true)
    expect(needsTextGuard('0012', false)).toBe(true)
  })

  it('agrees with the regex on random short strings over the characters that matter', () => {
    const alphabet = ['0', '1', '9', ' ', '\t', '\u00a0', '+', '-', '.', ',', 'e', 'E', '/', 'x']
    // A fixed linear congruential generator: the same cases on every run.
    let seed = 12345
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed % n
    }
    for (let n = 0; n < 5000; n++) {
      let value = ''
      const length = next(10)
      for (let i = 0; i < length; i++) {
        value += alphabet[next(alphabet.length)]
      }
      expect([value, needsTextGuard(value, true)]).toEqual([value, oldNeedsTextGuard(value, true)])
      expect([value, needsTextGuard(value, false)]).toEqual([
        value,
        oldNeedsTextGuard(value, false)
      ])
    }
  })

  it('trims exactly the characters \\s matches', () => {
    const disagreements: number[] = []
    for (let code = 0; code <= 0xffff; code++) {
      if (isSpaceCode(code) !== /\s/.test(String.fromCharCode(code))) {
        disagreements.push(code)
      }
    }
    expect(disagreements).toEqual([])
  })

  it('handles 32,000-character adversarial cells correctly', () => {
    const spaces = ' '.repeat(32_000)
    // The old regex backtracked over every split of these spaces (about 0.9 s each).
    expect(needsTextGuard(`1${spaces}x`, true)).toBe(false)
    expect(needsTextGuard(`${spaces}1${spaces}x`, false)).toBe(false)
    expect(needsTextGuard(`${spaces}0012${spaces}`, false)).toBe(true)
    expect(needsTextGuard(`${spaces}42${spaces}`, true)).toBe(true)
    expect(needsTextGuard(`${'1,'.repeat(16_000)}x`, true)).toBe(false)
    expect(needsTextGuard('1'.repeat(32_000), false)).toBe(true)
    expect(scanNumberLike(`-${'9'.repeat(31_998)}e`)).toMatchObject({
      isNumberLike: false,
      hasExponent: true,
      digitCount: 31_998
    })
    expect(neutralizeFormula(`${spaces}=1`)).toBe(`'${spaces}=1`)
    expect(neutralizeFormula(`${spaces}x`)).toBe(`${spaces}x`)
  })
})

describe('neutralizeFormula on its table', () => {
  it.each(['=1+1', '+1', '-1.5e3', '@x', '\tx', '\rx', ' \t=1', '\u3000+1'])(
    'neutralises %j',
    (value) => {
      expect(neutralizeFormula(value)).toBe(`'${value}`)
    }
  )
  it.each(['1-2', '555-0199', ' x', '42', ''])('leaves %j alone', (value) => {
    expect(neutralizeFormula(value)).toBe(value)
  })
})
