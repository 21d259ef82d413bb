import { describe, expect, it } from 'vitest'

import { apiPath, CHANNELS, contract, EVENT_NAMES, isChannel, isPageChannel } from './contract'

describe('contract', () => {
  it('names every channel domain:action in kebab-case', () => {
    for (const name of [...CHANNELS, ...EVENT_NAMES]) {
      expect(name).toMatch(/^[a-z]+(-[a-z]+)*:[a-z]+(-[a-z]+)*$/)
    }
  })

  it('names every event domain:did-x', () => {
    for (const name of EVENT_NAMES) {
      expect(name).toMatch(/:did-/)
    }
  })

  it('maps names to api paths', () => {
    expect(apiPath('app:get-info')).toEqual(['app', 'getInfo'])
    expect(apiPath('settings:did-change')).toEqual(['settings', 'onDidChange'])
  })

  it('does not mistake prototype keys for channels', () => {
    expect(isChannel('toString')).toBe(false)
    expect(isChannel('__proto__')).toBe(false)
    expect(isChannel('settings:get')).toBe(true)
  })

  it('lets the page name a snapshot only by handle, never by path (issue 10 item 6)', () => {
    const input = contract['snapshots:import'].input
    expect(input.safeParse({ clientId: 'w', path: '/etc/passwd' }).success).toBe(false)
    expect(input.safeParse({ clientId: 'w', handle: '../../etc/passwd' }).success).toBe(false)
    expect(input.safeParse({ clientId: 'w', handle: 'AbC_-0123456789abcdefg' }).success).toBe(true)
    // The channel that carries a dropped file's path is the preload's, not the page's.
    expect(isPageChannel('snapshots:offer-dropped-file')).toBe(false)
    expect(isPageChannel('snapshots:import')).toBe(true)
  })
})
