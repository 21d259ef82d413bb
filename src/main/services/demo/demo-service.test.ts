import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterEach, describe, expect, it } from 'vitest'

import { HttpsClient } from '../http/https-client'
import { MemoryLogger } from '../logging/logger'
import { ProfilesService } from '../profiles/profiles-service'

import { DemoService } from './demo-service'

describe('the demo tenant', () => {
  let dir = ''
  let demo: DemoService | undefined

  afterEach(async () => {
    await demo?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('names each emulator it starts: the same while it runs, a new name after a restart', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cax-demo-'))
    const log = new MemoryLogger()
    demo = new DemoService({
      profiles: new ProfilesService({ dataDir: dir, log }),
      http: new HttpsClient(),
      log,
      preferredPort: 0
    })
    expect(demo.instance).toBeUndefined()
    const profile = await demo.open()
    expect(profile.isDemo).toBe(true)
    const first = demo.instance
    expect(first).toMatch(/^[0-9a-f-]{36}$/)
    await demo.open()
    expect(demo.instance).toBe(first)
    await demo.close()
    expect(demo.instance).toBeUndefined()
    await demo.open()
    expect(demo.instance).toMatch(/^[0-9a-f-]{36}$/)
    expect(demo.instance).not.toBe(first)
  }, 120_000)
})
