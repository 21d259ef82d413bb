import { describe, expect, it } from 'vitest'

import { CLOUDS } from '../../../shared/clouds'

import {
  assertTokenDestination,
  checkTokenDestination,
  tokenDestination,
  TokenDestinationError
} from './token-destination'

const MANAGE = CLOUDS.commercial.managementApiBase
const cloud = tokenDestination('the Management Activity API', MANAGE)
const emulator = tokenDestination('the Management Activity API', 'https://127.0.0.1:47813/manage')
const host = new URL(MANAGE).host

describe('token destination policy', () => {
  it('accepts URLs under the configured base', () => {
    const ok = [
      `${MANAGE}/api/v1.0/t/activity/feed/audit/2023$2023$audit_general$Audit_General$emea9037`,
      `${MANAGE}/api/v1.0/t/activity/feed/subscriptions/content?contentType=Audit.General&nextPage=20151019`,
      `${MANAGE.toUpperCase().replace('HTTPS', 'https')}/api/v1.0/t/x`
    ]
    for (const url of ok) {
      expect(checkTokenDestination(url, cloud), url).toMatchObject({ ok: true })
    }
    expect(
      checkTokenDestination('https://127.0.0.1:47813/manage/api/v1.0/t/activity/feed', emulator)
    ).toEqual({ ok: true, url: 'https://127.0.0.1:47813/manage/api/v1.0/t/activity/feed' })
  })

  it.each([
    ['another host', 'https://attacker.example/x', /points to https:\/\/attacker\.example/],
    ['userinfo trick', `https://${host}@evil.example/x`, /user name or password.*evil\.example/],
    ['userinfo with port', `https://${host}:443@evil.example/x`, /user name or password/],
    [
      'suffix host',
      `https://${host}.evil.example/x`,
      /points to https:\/\/manage\.office\.com\.evil/
    ],
    ['http downgrade', `http://${host}/x`, /uses http instead of https/],
    ['other port', `https://${host}:8443/x`, /points to https:\/\/manage\.office\.com:8443/],
    ['explicit default port', `https://${host}:443/x`, /does not begin with .* spelled exactly/],
    ['trailing-dot host', `https://${host}./x`, /points to/],
    ['IDN look-alike', 'https://manage.оffice.com/x', /non-ASCII/],
    ['punycode look-alike', 'https://manage.xn--ffice-7ve.com/x', /points to/],
    ['full-width dot', 'https://manage．office.com/x', /non-ASCII/],
    ['backslash', `https://${host}\\@evil.example/x`, /backslash/],
    ['backslash authority', `https:\\\\evil.example\\x`, /backslash/],
    ['tab inside', `https://${host}/a\tb`, /control characters/],
    ['leading space', ` https://${host}/x`, /spaces/],
    ['protocol-relative', '//evil.example/x', /not a valid URL/],
    ['javascript', 'javascript:alert(1)', /uses javascript instead of https/],
    ['file', 'file:///etc/passwd', /uses file instead of https/],
    ['fragment', `https://${host}/x#frag`, /fragment/],
    ['not a string', 42, /not a URL/],
    ['empty', '', /not a URL/],
    ['too long', `https://${host}/${'a'.repeat(9000)}`, /longer than/]
  ])('refuses %s', (_name, url, reason) => {
    const result = checkTokenDestination(url, cloud)
    expect(result.ok).toBe(false)
    expect(result.ok ? '' : result.reason).toMatch(reason)
  })

  it.each([
    ['dot-dot escape', 'https://127.0.0.1:47813/manage/../graph/x'],
    ['api path escape', 'https://127.0.0.1:47813/manage/api/v1.0/../../../x'],
    ['encoded dots', 'https://127.0.0.1:47813/manage/%2e%2e/graph/x'],
    ['mixed encoded dot', 'https://127.0.0.1:47813/manage/.%2E/graph/x'],
    ['single dot', 'https://127.0.0.1:47813/manage/./x'],
    ['encoded slash', 'https://127.0.0.1:47813/manage%2f..%2fgraph/x'],
    ['encoded backslash', 'https://127.0.0.1:47813/manage/%5c../x'],
    ['sibling prefix', 'https://127.0.0.1:47813/manager/x'],
    ['base without slash', 'https://127.0.0.1:47813/manage'],
    ['other API on the same origin', 'https://127.0.0.1:47813/graph/beta/x']
  ])('refuses a path outside the base: %s', (_name, url) => {
    const result = checkTokenDestination(url, emulator)
    expect(result.ok).toBe(false)
    expect(result.ok ? '' : result.reason).toMatch(/path/)
  })

  it('refuses the same escapes on a cloud base whose prefix is /', () => {
    for (const url of [`${MANAGE}/api/v1.0/../x`, `${MANAGE}/api/%2e%2e/x`]) {
      expect(checkTokenDestination(url, cloud).ok, url).toBe(false)
    }
  })

  it('throws a TokenDestinationError that says what was refused and why', () => {
    const call = (): string => assertTokenDestination('https://attacker.example/x?y=1', cloud)
    expect(call).toThrow(TokenDestinationError)
    expect(call).toThrow(
      /^Refused to fetch https:\/\/attacker\.example\/x\?y=1: it points to https:\/\/attacker\.example, not to https:\/\/manage\.office\.com\. The Management Activity API token is sent only to https:\/\/manage\.office\.com\/; nothing was requested\.$/
    )
  })

  it('takes only plain https bases', () => {
    expect(() => tokenDestination('x', 'http://127.0.0.1/manage')).toThrow(/plain https/)
    expect(() => tokenDestination('x', 'https://u:p@127.0.0.1/manage')).toThrow(/plain https/)
    expect(() => tokenDestination('x', 'not a url')).toThrow(/not a URL/)
    expect(tokenDestination('x', 'https://127.0.0.1:1/manage/')).toMatchObject({
      origin: 'https://127.0.0.1:1',
      pathPrefix: '/manage/'
    })
  })
})
