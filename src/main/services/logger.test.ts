import { describe, expect, it } from 'vitest'

import { redactSecrets } from './logger'

describe('redactSecrets', () => {
  it.each([
    ['a JWT', 'token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl done', 'eyJhbGci'],
    ['a code in a URL', 'GET http://localhost:5000/?code=0.AAAbcdef&state=x', '0.AAAbcdef'],
    [
      'a refresh token in a form',
      'grant_type=refresh_token&refresh_token=1.Aq9zz&client_id=a',
      '1.Aq9zz'
    ],
    ['a secret in JSON', '{"secret":"s3cr3t-value","other":1}', 's3cr3t-value'],
    ['a bearer header', 'Authorization: Bearer abcdefghijklmnop', 'abcdefghijklmnop']
  ])('removes %s', (_label, line, secret) => {
    const redacted = redactSecrets(line)
    expect(redacted).not.toContain(secret)
    expect(redacted).toContain('redacted')
  })

  it('leaves ordinary lines alone', () => {
    const line = '[acquire] window 2026-05-19T00Z skipped: AF20051 (412 records)'
    expect(redactSecrets(line)).toBe(line)
  })
})
