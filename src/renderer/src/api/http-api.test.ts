import { describe, expect, it } from 'vitest'

import { createHttpApi } from './http-api'

describe('createHttpApi', () => {
  it('offers files by upload and has no method that sends a path', () => {
    const api = createHttpApi('http://127.0.0.1:1', async () => new Response('{}'))
    const snapshots = api.snapshots as unknown as Record<string, unknown>
    expect(typeof snapshots['offerFile']).toBe('function')
    expect(typeof snapshots['import']).toBe('function')
    expect(snapshots['offerDroppedFile']).toBeUndefined()
  })
})
