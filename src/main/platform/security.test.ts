import { join } from 'node:path'

import { describe, expect, it } from 'vitest'

import {
  APP_ORIGIN,
  decideWindowOpen,
  isAppUrl,
  isNavigationAllowed,
  isPermissionAllowed,
  isTrustedSender,
  resolveAppFile,
  resolveStaticFile,
  toExternalHttpUrl
} from './security'

const DEV = 'http://localhost:5173'

describe('isAppUrl', () => {
  it.each([
    [`${APP_ORIGIN}/index.html`, true],
    [`${APP_ORIGIN}/`, true],
    // Node keeps a non-special scheme's host case; an odd spelling is refused rather than guessed.
    ['APP://EXPLORER/index.html', false],
    ['https://evil.example/?next=app://explorer', false],
    ['app://user@explorer/index.html', false],
    ['app://user:pw@explorer/', false],
    ['app://explorer.evil.example/', false],
    ['app://evil/', false],
    ['http://localhost.evil.example/', false],
    ['file:///etc/passwd', false],
    ['javascript:alert(1)', false],
    ['data:text/html,<script>alert(1)</script>', false],
    ['', false],
    ['not a url', false]
  ])('%s → %s', (url, expected) => {
    expect(isAppUrl(url)).toBe(expected)
  })

  it('accepts the dev server only when one is configured, and only its origin', () => {
    expect(isAppUrl(`${DEV}/index.html`)).toBe(false)
    expect(isAppUrl(`${DEV}/index.html`, DEV)).toBe(true)
    expect(isAppUrl('http://localhost:5174/', DEV)).toBe(false)
    expect(isAppUrl('http://localhost.evil.example:5173/', DEV)).toBe(false)
  })

  it('refuses non-strings', () => {
    expect(isAppUrl(undefined)).toBe(false)
    expect(isAppUrl({ href: `${APP_ORIGIN}/` })).toBe(false)
  })
})

describe('toExternalHttpUrl', () => {
  it.each([
    [
      'https://learn.microsoft.com/en-us/power-platform/',
      'https://learn.microsoft.com/en-us/power-platform/'
    ],
    ['http://example.com', 'http://example.com/'],
    ['HTTPS://Example.COM/a?b=c#d', 'https://example.com/a?b=c#d']
  ])('opens %s', (input, expected) => {
    expect(toExternalHttpUrl(input)).toBe(expected)
  })

  it.each([
    'file:///etc/passwd',
    'javascript:alert(1)',
    'app://explorer/index.html',
    'smb://attacker/share',
    'ms-msdt:/id PCWDiagnostic',
    'vbscript:msgbox(1)',
    'https://user:pw@example.com/',
    'https://user@example.com/',
    'https://example.com/\nfoo',
    'https://exa mple.com/',
    ' https://example.com/',
    'https://example.com/\u0000',
    'data:text/html,hi',
    '//example.com/',
    '',
    'https://',
    42,
    null,
    undefined
  ])('refuses %j', (input) => {
    expect(toExternalHttpUrl(input)).toBeNull()
  })
})

describe('isTrustedSender', () => {
  it('accepts the top frame of our origin only', () => {
    expect(isTrustedSender({ url: `${APP_ORIGIN}/index.html`, isTopFrame: true })).toBe(true)
    expect(isTrustedSender({ url: `${APP_ORIGIN}/index.html`, isTopFrame: false })).toBe(false)
    expect(isTrustedSender({ url: 'https://evil.example/', isTopFrame: true })).toBe(false)
    expect(isTrustedSender({ url: 'app://evil/index.html', isTopFrame: true })).toBe(false)
    expect(isTrustedSender(null)).toBe(false)
    expect(isTrustedSender(undefined)).toBe(false)
  })
})

describe('isPermissionAllowed', () => {
  it.each(['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'unknown'])(
    'denies %s',
    (permission) => {
      expect(isPermissionAllowed(permission)).toBe(false)
    }
  )
})

describe('resolveAppFile / resolveStaticFile', () => {
  const root = join('/srv', 'renderer')

  it.each([
    [`${APP_ORIGIN}/index.html`, join(root, 'index.html')],
    [`${APP_ORIGIN}/`, join(root, 'index.html')],
    [`${APP_ORIGIN}/explorer/saved`, join(root, 'index.html')],
    [`${APP_ORIGIN}/assets/index-abc.js`, join(root, 'assets', 'index-abc.js')],
    [`${APP_ORIGIN}/assets/a%20b.css`, join(root, 'assets', 'a b.css')]
  ])('maps %s', (url, expected) => {
    expect(resolveAppFile(url, root)).toBe(expected)
  })

  it.each([`${APP_ORIGIN}/../../etc/passwd`, `${APP_ORIGIN}/%2e%2e/%2e%2e/etc/passwd`])(
    'keeps %s inside the root (the URL parser folds the dot segments)',
    (url) => {
      expect(resolveAppFile(url, root)).toBe(join(root, 'index.html'))
    }
  )

  it.each([
    `${APP_ORIGIN}/assets/..%2f..%2f..%2fetc%2fpasswd`,
    `${APP_ORIGIN}/assets/..%5c..%5csecret.txt`,
    `${APP_ORIGIN}/index.html%00.js`,
    `${APP_ORIGIN}/%E0%A4%A`,
    'app://evil/index.html',
    'https://explorer/index.html'
  ])('refuses %s', (url) => {
    expect(resolveAppFile(url, root)).toBeNull()
  })

  it('refuses traversal in raw paths too', () => {
    expect(resolveStaticFile('/a/../../x.js', root)).toBeNull()
    expect(resolveStaticFile('/./x.js', root)).toBeNull()
    expect(resolveStaticFile('/assets/x.js', root)).toBe(join(root, 'assets', 'x.js'))
  })
})

describe('the policy every web contents gets (web-contents-created)', () => {
  it.each([
    [`${APP_ORIGIN}/index.html`, true],
    ['https://evil.example/?next=app://explorer', false],
    ['app://user@explorer/', false],
    ['http://localhost.evil.example/', false],
    ['file:///etc/passwd', false],
    ['javascript:alert(1)', false],
    ['about:blank', false],
    ['chrome://settings', false],
    ['devtools://devtools/bundled/inspector.html', false]
  ])('navigation to %s allowed: %s', (url, expected) => {
    expect(isNavigationAllowed(url)).toBe(expected)
  })

  it('allows the dev server only when one is configured', () => {
    expect(isNavigationAllowed(`${DEV}/`)).toBe(false)
    expect(isNavigationAllowed(`${DEV}/`, DEV)).toBe(true)
  })

  it.each([
    ['https://learn.microsoft.com/x', 'https://learn.microsoft.com/x'],
    [`${APP_ORIGIN}/index.html`, null],
    ['file:///etc/passwd', null],
    ['javascript:alert(1)', null],
    ['ms-msdt:/id PCWDiagnostic', null],
    ['https://user:pw@evil.example/', null],
    [undefined, null]
  ])('window.open(%s) is denied; the system browser gets %s', (url, external) => {
    expect(decideWindowOpen(url)).toEqual({ action: 'deny', openExternal: external })
  })
})
