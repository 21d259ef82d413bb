import { describe, expect, it } from 'vitest'

import { AuditApiError, errorAction } from './api-error'
import { formatApiTime, nextPageHeader, withPublisher } from './management-client'

describe('management client helpers', () => {
  it('reads the next-page header in any case and under its legacy name', () => {
    for (const name of ['NextPageUri', 'nextpageuri', 'Nextpageuri', 'NextPageUrl']) {
      expect(nextPageHeader({ headers: { [name]: 'https://x/next' } })).toBe('https://x/next')
    }
    expect(nextPageHeader({ headers: { date: 'x' } })).toBeNull()
  })

  it('adds PublisherIdentifier once, whatever the case already present', () => {
    expect(withPublisher('https://h/audit/a$b?x=1', 'P')).toBe(
      'https://h/audit/a$b?x=1&PublisherIdentifier=P'
    )
    expect(withPublisher('https://h/c?publisheridentifier=Q', 'P')).toBe(
      'https://h/c?publisheridentifier=Q'
    )
  })

  it('formats UTC with a 24-hour clock', () => {
    expect(formatApiTime(new Date('2026-11-20T23:05:09.123Z'))).toBe('2026-11-20T23:05:09Z')
  })

  it('classifies errors by code first', () => {
    expect(errorAction(new AuditApiError(403, 'AF429', 'Too many requests'))).toBe('throttled')
    expect(errorAction(new AuditApiError(429, 'HTTP_429', ''))).toBe('throttled')
    expect(errorAction(new AuditApiError(500, 'AF50000', ''))).toBe('transient')
    expect(errorAction(new AuditApiError(503, 'HTTP_503', '<html>'))).toBe('transient')
    expect(errorAction(new AuditApiError(400, 'AF20051', ''))).toBe('expired')
    expect(errorAction(new AuditApiError(400, 'AF20023', ''))).toBe('config')
    expect(errorAction(new AuditApiError(404, 'AF20050', ''))).toBe('item')
  })
})
