import { describe, expect, it } from 'vitest'

import { EventBus } from './event-bus'

describe('EventBus', () => {
  it('delivers to every listener until unsubscribed', () => {
    const bus = new EventBus()
    const a: unknown[] = []
    const b: unknown[] = []
    const offA = bus.subscribe((_e, p) => a.push(p))
    bus.subscribe((_e, p) => b.push(p))
    const dark = { theme: 'dark', updates: 'automatic' } as const
    const light = { theme: 'light', updates: 'off' } as const
    bus.publish('settings:did-change', dark)
    offA()
    bus.publish('settings:did-change', light)
    expect(a).toEqual([dark])
    expect(b).toEqual([dark, light])
  })

  it('strips fields the contract does not declare, so nothing extra leaks to the UI', () => {
    const bus = new EventBus()
    const seen: unknown[] = []
    bus.subscribe((_e, p) => seen.push(p))
    bus.publish('settings:did-change', {
      theme: 'dark',
      updates: 'off',
      accessToken: 'eyJ...'
    } as never)
    expect(seen).toEqual([{ theme: 'dark', updates: 'off' }])
  })
})
