import { beforeEach, describe, expect, it, vi } from 'vitest'

// STYLE.md rule 14: vi.mock('electron') only for the thin ipc/ and platform/ layers.
const registered = new Map<string, (event: unknown, raw: unknown) => Promise<unknown>>()
const sent: { channel: string; payload: unknown }[] = []
vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, listener: (event: unknown, raw: unknown) => Promise<unknown>) => {
      registered.set(channel, listener)
    }
  },
  BrowserWindow: {
    getAllWindows: () => [
      {
        webContents: {
          send: (channel: string, payload: unknown) => sent.push({ channel, payload })
        }
      }
    ]
  }
}))

const { registerIpc } = await import('./handle')
const { CHANNELS } = await import('../../shared/ipc/contract')
const { createDispatcher } = await import('../rpc/dispatch')
const { stubHandlers } = await import('../rpc/stub-handlers')
const { EventBus } = await import('../rpc/event-bus')
const { MemoryLogger } = await import('../services/logging/logger')

function frame(url: string, isTop = true): unknown {
  const top = { url, parent: null }
  return { senderFrame: isTop ? top : { url, parent: top } }
}

describe('registerIpc', () => {
  let log: InstanceType<typeof MemoryLogger>
  let bus: InstanceType<typeof EventBus>
  let calls: unknown[]

  beforeEach(() => {
    registered.clear()
    sent.length = 0
    calls = []
    log = new MemoryLogger()
    bus = new EventBus()
    const dispatch = createDispatcher(
      stubHandlers({
        'settings:get': async () => ({ theme: 'light', updates: 'automatic' }),
        'settings:update': async (input) => {
          calls.push(input)
          return { theme: input.theme ?? 'system', updates: 'automatic' }
        }
      }),
      log
    )
    registerIpc(dispatch, bus, log)
  })

  it('registers every contract channel', () => {
    expect([...registered.keys()].sort()).toEqual([...CHANNELS].sort())
  })

  it('answers the top frame of app://explorer', async () => {
    const listener = registered.get('settings:get')!
    await expect(listener(frame('app://explorer/index.html'), {})).resolves.toEqual({
      ok: true,
      value: { theme: 'light', updates: 'automatic' }
    })
  })

  it.each([
    ['a foreign origin', frame('https://evil.example/')],
    ['a subframe of our origin', frame('app://explorer/index.html', false)],
    ['a file: page', frame('file:///tmp/x.html')],
    ['an unknown frame', { senderFrame: null }]
  ])('refuses %s with ipc/forbidden and does not run the handler', async (_label, event) => {
    const listener = registered.get('settings:update')!
    const result = (await listener(event, { theme: 'dark' })) as {
      ok: boolean
      error?: { code: string }
    }
    expect(result.ok).toBe(false)
    expect(result.error?.code).toBe('ipc/forbidden')
    expect(calls).toEqual([])
    expect(log.lines.some((l) => l.includes('[ipc] refused settings:update'))).toBe(true)
  })

  it('refuses an invalid payload with ipc/invalid-input', async () => {
    const listener = registered.get('settings:update')!
    const result = (await listener(frame('app://explorer/'), { theme: 42 })) as {
      ok: boolean
      error?: { code: string }
    }
    expect(result.error?.code).toBe('ipc/invalid-input')
    expect(calls).toEqual([])
  })

  it('forwards bus events to every window, validated by the contract', () => {
    bus.publish('settings:did-change', { theme: 'dark', updates: 'off' })
    expect(sent).toEqual([
      { channel: 'settings:did-change', payload: { theme: 'dark', updates: 'off' } }
    ])
    expect(() => bus.publish('settings:did-change', { theme: 'neon' } as never)).toThrow()
  })
})
