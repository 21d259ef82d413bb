import { describe, expect, it } from 'vitest'

import { browserCommand, openInBrowser } from './open-browser'

describe('browserCommand', () => {
  it('passes the URL as a single argument on every platform', () => {
    const url = 'http://127.0.0.1:5780/?secret=a&b=c^d'
    expect(browserCommand('linux', url)).toEqual(['xdg-open', [url]])
    expect(browserCommand('darwin', url)).toEqual(['open', [url]])
    expect(browserCommand('win32', url)).toEqual(['rundll32', ['url.dll,FileProtocolHandler', url]])
  })
})

describe('openInBrowser', () => {
  it('refuses anything but http(s) without starting a process', async () => {
    await expect(openInBrowser('file:///etc/passwd')).resolves.toBe(false)
    await expect(openInBrowser('javascript:alert(1)')).resolves.toBe(false)
  })
})
