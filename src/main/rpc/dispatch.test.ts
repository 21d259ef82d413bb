import { describe, expect, it } from 'vitest'

import { AppError } from '../../shared/errors'
import type { Handlers } from '../../shared/ipc/contract'
import { MemoryLogger } from '../services/logging/logger'

import { createDispatcher } from './dispatch'
import { stubHandlers } from './stub-handlers'

function handlers(overrides: Partial<Handlers> = {}): Handlers {
  return stubHandlers({
    'app:get-info': async () => ({
      name: 'Connector Audit Explorer',
      version: '1.2.3',
      shell: 'browser',
      platform: 'linux',
      electronVersion: null,
      nodeVersion: '20'
    }),
    'settings:get': async () => ({ theme: 'system', updates: 'automatic' }),
    'settings:update': async (change) => ({
      theme: change.theme ?? 'system',
      updates: change.updates ?? 'automatic'
    }),
    ...overrides
  })
}

describe('createDispatcher', () => {
  it('runs a handler with parsed input and wraps the value', async () => {
    const dispatch = createDispatcher(handlers(), new MemoryLogger())
    await expect(dispatch('settings:update', { theme: 'dark' })).resolves.toEqual({
      ok: true,
      value: { theme: 'dark', updates: 'automatic' }
    })
  })

  it.each([
    ['a wrong enum value', { theme: 'blue' }],
    ['an unknown key', { theme: 'dark', evil: true }],
    ['a non-object', 'dark'],
    ['null', null],
    ['an array', [1, 2]]
  ])('refuses %s with ipc/invalid-input and never calls the handler', async (_label, input) => {
    let calls = 0
    const log = new MemoryLogger()
    const dispatch = createDispatcher(
      handlers({
        'settings:update': async () => {
          calls += 1
          return { theme: 'dark', updates: 'automatic' }
        }
      }),
      log
    )
    const result = await dispatch('settings:update', input)
    expect(result.ok).toBe(false)
    expect(!result.ok && result.error.code).toBe('ipc/invalid-input')
    expect(calls).toBe(0)
    expect(log.lines.some((l) => l.includes('[rpc] refused settings:update'))).toBe(true)
  })

  it('refuses unknown channels, including prototype keys', async () => {
    const dispatch = createDispatcher(handlers(), new MemoryLogger())
    for (const channel of ['nope:nothing', '__proto__', 'constructor', 'toString']) {
      const result = await dispatch(channel, {})
      expect(!result.ok && result.error.code).toBe('ipc/unknown-channel')
    }
  })

  it('passes an AppError code and message through', async () => {
    const dispatch = createDispatcher(
      handlers({
        'settings:get': async () => {
          throw new AppError('settings/unreadable', 'The settings file is unreadable')
        }
      }),
      new MemoryLogger()
    )
    await expect(dispatch('settings:get', {})).resolves.toEqual({
      ok: false,
      error: { code: 'settings/unreadable', message: 'The settings file is unreadable' }
    })
  })

  it('hides the text of unexpected errors from the caller and the log', async () => {
    const log = new MemoryLogger()
    const dispatch = createDispatcher(
      handlers({
        'settings:get': async () => {
          throw new Error('token eyJhbGciOi... at /home/alice/secret')
        }
      }),
      log
    )
    const result = await dispatch('settings:get', {})
    expect(!result.ok && result.error.code).toBe('ipc/internal')
    expect(JSON.stringify(result)).not.toContain('eyJ')
    expect(log.lines.join('\n')).not.toContain('eyJ')
  })
})
