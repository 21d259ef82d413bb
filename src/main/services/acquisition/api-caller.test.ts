import { describe, expect, it } from 'vitest'

import { MemoryLogger } from '../logging/logger'
import { TokenDestinationError } from '../audit-api/token-destination'

import { ApiCaller } from './api-caller'
import type { RunContext } from './run-context'
import type { SyncResult } from './types'

const destination = {
  api: 'the Management Activity API',
  origin: 'https://127.0.0.1:8443',
  pathPrefix: '/manage/'
}

/** A clock that only moves when the caller sleeps, and a record of every sleep. */
function fakeTime(): { now: () => Date; sleep: (ms: number) => Promise<void>; slept: number[] } {
  let t = Date.parse('2026-12-01T00:00:00Z')
  const slept: number[] = []
  return {
    now: () => new Date(t),
    sleep: (ms) => {
      slept.push(ms)
      t += ms
      return Promise.resolve()
    },
    slept
  }
}

function context(): Pick<RunContext, 'signal' | 'stats' | 'log' | 'emit'> {
  return {
    signal: new AbortController().signal,
    stats: { requests: 0, throttleEvents: 0 } as SyncResult,
    log: new MemoryLogger(),
    emit: () => undefined
  }
}

describe('ApiCaller and the token policy', () => {
  it('a URL the policy refuses costs no budget and counts as no request', async () => {
    const time = fakeTime()
    // A budget of one request a minute: a second request within the minute must wait for it.
    const caller = new ApiCaller({
      budgetPerMinute: 1,
      maxAttempts: 1,
      maxThrottleWaits: 0,
      ...time
    })
    const ctx = context()
    const refused = caller.call(ctx, 'next page', () =>
      Promise.reject(
        new TokenDestinationError(destination, 'it is another host', 'https://evil.test/')
      )
    )
    await expect(refused).rejects.toBeInstanceOf(TokenDestinationError)
    expect(ctx.stats.requests).toBe(0)

    await expect(caller.call(ctx, 'list', () => Promise.resolve('sent'))).resolves.toBe('sent')
    expect(time.slept).toEqual([])
    expect(ctx.stats.requests).toBe(1)
  })

  it('a request that was sent keeps its budget slot (the control)', async () => {
    const time = fakeTime()
    const caller = new ApiCaller({
      budgetPerMinute: 1,
      maxAttempts: 1,
      maxThrottleWaits: 0,
      ...time
    })
    const ctx = context()
    await expect(
      caller.call(ctx, 'list', () => Promise.reject(new Error('socket hang up')))
    ).rejects.toThrow('socket hang up')
    await caller.call(ctx, 'list', () => Promise.resolve('sent'))
    expect(time.slept.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(59_000)
    expect(ctx.stats.requests).toBe(2)
  })
})
