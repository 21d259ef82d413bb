import { describe, expect, it } from 'vitest'

import { apiPath, CHANNELS, EVENT_NAMES, isChannel } from './contract'

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
})
