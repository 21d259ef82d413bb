import { describe, expect, it } from 'vitest'

import {
  compileSearch,
  parseSearch,
  quoteSearchValue,
  UnknownSearchColumnError
} from './search-syntax'
import type { SearchColumn, SearchQuery } from './search-syntax'

interface Row {
  operation: string
  userId: string
  clientIp: string
  raw: string
}

const COLUMNS: SearchColumn<Row>[] = [
  { id: 'Operation', get: (r) => r.operation },
  { id: 'UserId', aliases: ['user'], get: (r) => r.userId },
  { id: 'ClientIP', get: (r) => r.clientIp },
  { id: 'raw', get: (r) => r.raw, isSearchedByDefault: false }
]

const ROWS: Row[] = [
  {
    operation: 'PutConnection',
    userId: 'alice@contoso.example',
    clientIp: '10.0.0.1',
    raw: '{"x":"secret"}'
  },
  { operation: 'DeleteConnection', userId: 'bob@contoso.example', clientIp: '10.0.0.2', raw: '' },
  { operation: 'PutConnectionPermission', userId: 'Alice Smith', clientIp: '203.0.113.9', raw: '' },
  { operation: 'LaunchPowerApp', userId: 'carol@contoso.example', clientIp: '10.0.0.1', raw: '' }
]

function parse(input: string): SearchQuery {
  const result = parseSearch(input)
  if (!result.ok) {
    throw new Error(result.error.message)
  }
  return result.query
}

function matches(input: string): string[] {
  const predicate = compileSearch(parse(input), COLUMNS)
  return ROWS.filter(predicate).map((r) => r.operation)
}

describe('parseSearch', () => {
  it('parses columns, phrases, exclusions and OR into alternatives of terms', () => {
    expect(parse('Operation:Put -"Alice Smith" OR user:bob').alternatives).toEqual([
      [
        { column: 'Operation', text: 'Put', isNegated: false, isPhrase: false },
        { column: null, text: 'Alice Smith', isNegated: true, isPhrase: true }
      ],
      [{ column: 'user', text: 'bob', isNegated: false, isPhrase: false }]
    ])
    expect(parse('UserId:"a \\"quoted\\" name"').alternatives[0]?.[0]?.text).toBe('a "quoted" name')
    expect(parse('   ').alternatives).toEqual([])
    // lower-case "or" is a word, not the operator
    expect(parse('a or b').alternatives).toEqual([
      ['a', 'or', 'b'].map((text) => ({ column: null, text, isNegated: false, isPhrase: false }))
    ])
  })

  it('refuses malformed queries with the position and the reason', () => {
    expect(parseSearch('Operation:"Put')).toEqual({
      ok: false,
      error: { message: 'unterminated quoted phrase: add the closing "', position: 10 }
    })
    expect(parseSearch('OR a')).toMatchObject({
      ok: false,
      error: { message: 'OR needs a term before it', position: 0 }
    })
    expect(parseSearch('a OR')).toMatchObject({
      ok: false,
      error: { message: 'OR needs a term after it' }
    })
    expect(parseSearch('a OR OR b')).toMatchObject({ ok: false, error: { position: 5 } })
    expect(parseSearch('a - b')).toMatchObject({ ok: false, error: { position: 2 } })
    expect(parseSearch('UserId: bob')).toMatchObject({
      ok: false,
      error: { message: '"UserId:" needs a term after the colon' }
    })
    expect(parseSearch(':bob')).toMatchObject({
      ok: false,
      error: { message: 'a column name must come before ":"' }
    })
    expect(parseSearch('""')).toMatchObject({
      ok: false,
      error: { message: 'empty quoted phrase' }
    })
  })
})

describe('compileSearch', () => {
  it('matches words in any default column, case-insensitively, all terms together', () => {
    expect(matches('alice')).toEqual(['PutConnection', 'PutConnectionPermission'])
    expect(matches('put ALICE 10.0.0')).toEqual(['PutConnection'])
    // raw is not searched by default, only by name
    expect(matches('secret')).toEqual([])
    expect(matches('raw:secret')).toEqual(['PutConnection'])
  })

  it('restricts Column:term to that column, by id or alias', () => {
    expect(matches('UserId:10.0.0.1')).toEqual([])
    expect(matches('clientip:10.0.0.1')).toEqual(['PutConnection', 'LaunchPowerApp'])
    expect(matches('user:bob')).toEqual(['DeleteConnection'])
  })

  it('matches a quoted phrase with its space, and excludes with -', () => {
    expect(matches('"alice smith"')).toEqual(['PutConnectionPermission'])
    expect(matches('alice -"alice smith"')).toEqual(['PutConnection'])
    expect(matches('-Operation:Connection')).toEqual(['LaunchPowerApp'])
  })

  it('takes OR as alternatives of side-by-side terms', () => {
    expect(matches('Operation:Delete OR Operation:Launch')).toEqual([
      'DeleteConnection',
      'LaunchPowerApp'
    ])
    expect(matches('Operation:Put 203.0 OR user:carol')).toEqual([
      'PutConnectionPermission',
      'LaunchPowerApp'
    ])
  })

  it('matches everything for an empty query', () => {
    expect(matches('')).toHaveLength(ROWS.length)
  })

  it('names an unknown column and the known ones', () => {
    expect(() => compileSearch(parse('Nope:x'), COLUMNS)).toThrow(UnknownSearchColumnError)
    expect(() => compileSearch(parse('Nope:x'), COLUMNS)).toThrow(
      'unknown column "Nope" in the search; known: Operation, UserId, ClientIP, raw'
    )
  })
})

describe('quoteSearchValue', () => {
  it('quotes only values that need it, and round-trips through the parser', () => {
    expect(quoteSearchValue('PutConnection')).toBe('PutConnection')
    for (const value of ['a b', 'say "hi"', '-x', 'OR', 'back\\slash', '']) {
      const quoted = quoteSearchValue(value)
      if (value === '') {
        expect(quoted).toBe('""')
        continue
      }
      expect(parse(`Operation:${quoted}`).alternatives[0]?.[0]?.text).toBe(value)
    }
  })
})
