import { describe, expect, it } from 'vitest'

import { parseApiError } from './api-error'

describe('parseApiError', () => {
  it('reads an AF code and message', () => {
    const e = parseApiError(
      400,
      '{"error":{"code":"AF20023","message":"The subscription was disabled."}}'
    )
    expect([e.status, e.code, e.message]).toEqual([
      400,
      'AF20023',
      'The subscription was disabled.'
    ])
  })

  it("reads the gateway's 401 body", () => {
    const e = parseApiError(401, '{"Message":"Authorization has been denied for this request."}')
    expect([e.code, e.message]).toEqual([
      'HTTP_401',
      'Authorization has been denied for this request.'
    ])
  })

  it('keeps a truncated, one-line excerpt of an HTML error page', () => {
    const html = `<html>\n<body>${'Bad gateway '.repeat(100)}</body></html>`
    const e = parseApiError(502, html)
    expect(e.code).toBe('HTTP_502')
    expect(e.message.length).toBeLessThanOrEqual(300)
    expect(e.message).not.toContain('\n')
  })

  it('reads Retry-After in seconds and ignores other forms', () => {
    expect(parseApiError(429, '', '12').retryAfterSeconds).toBe(12)
    expect(
      parseApiError(429, '', 'Wed, 21 Oct 2026 07:28:00 GMT').retryAfterSeconds
    ).toBeUndefined()
  })
})
