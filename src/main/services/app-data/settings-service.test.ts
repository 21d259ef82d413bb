import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import type { Settings } from '../../../shared/ipc/contract'

import { MemoryLogger } from '../logging/logger'

import { DEFAULT_SETTINGS, SettingsService } from './settings-service'

describe('SettingsService', () => {
  let dir: string
  let changes: Settings[]
  let log: MemoryLogger

  const service = (): SettingsService =>
    new SettingsService({ dataDir: dir, log, onDidChange: (s) => changes.push(s) })

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cax-settings-'))
    changes = []
    log = new MemoryLogger()
  })

  afterEach(async () => {
    await chmod(dir, 0o700).catch(() => undefined)
    await rm(dir, { recursive: true, force: true })
  })

  it('starts from defaults when there is no file', async () => {
    await expect(service().get()).resolves.toEqual(DEFAULT_SETTINGS)
  })

  it('writes a change, announces it, and a new instance reads it back', async () => {
    await service().update({ theme: 'dark' })
    expect(changes).toEqual([{ theme: 'dark', updates: 'automatic' }])
    await expect(service().get()).resolves.toEqual({ theme: 'dark', updates: 'automatic' })
    const files = await readdir(dir)
    expect(files).toEqual(['settings.json'])
  })

  it('defaults updates to automatic for a file written before the setting existed', async () => {
    await writeFile(join(dir, 'settings.json'), '{"theme":"dark"}')
    await expect(service().get()).resolves.toEqual({ theme: 'dark', updates: 'automatic' })
  })

  it('turns updates off without touching the theme, and keeps it off', async () => {
    await service().update({ theme: 'light' })
    await service().update({ updates: 'off' })
    await expect(service().get()).resolves.toEqual({ theme: 'light', updates: 'off' })
    await service().update({ theme: 'dark' })
    await expect(service().get()).resolves.toEqual({ theme: 'dark', updates: 'off' })
  })

  it('serializes concurrent updates: the last one wins and nothing is lost on disk', async () => {
    const s = service()
    await Promise.all([s.update({ theme: 'dark' }), s.update({ theme: 'light' })])
    const onDisk = JSON.parse(await readFile(join(dir, 'settings.json'), 'utf8')) as Settings
    expect(onDisk.theme).toBe('light')
    expect(changes.map((c) => c.theme)).toEqual(['dark', 'light'])
  })

  it.each([
    ['not JSON', '{"theme": '],
    ['a wrong value', '{"theme":"neon"}'],
    ['an array', '[1,2]']
  ])('moves a file holding %s aside and uses defaults', async (_label, content) => {
    await writeFile(join(dir, 'settings.json'), content)
    await expect(service().get()).resolves.toEqual(DEFAULT_SETTINGS)
    const files = await readdir(dir)
    expect(files.some((f) => f.startsWith('settings.json.corrupt-'))).toBe(true)
    expect(log.lines.some((l) => l.includes('[settings]'))).toBe(true)
  })

  it.skipIf(process.getuid?.() === 0)(
    'reports a failed write with a specific code and keeps the old value',
    async () => {
      const s = service()
      await s.update({ theme: 'dark' })
      await chmod(dir, 0o500)
      await expect(s.update({ theme: 'light' })).rejects.toMatchObject({
        code: 'settings/write-failed'
      })
      await expect(s.get()).resolves.toEqual({ theme: 'dark', updates: 'automatic' })
    }
  )

  it('reports a failed write as settings/write-failed when the folder cannot be created', async () => {
    await writeFile(join(dir, 'blocker'), 'a file where the data folder should be')
    const s = new SettingsService({
      dataDir: join(dir, 'blocker', 'sub'),
      log,
      onDidChange: () => undefined
    })
    await expect(s.update({ theme: 'light' })).rejects.toMatchObject({
      code: 'settings/write-failed'
    })
    await expect(s.get()).resolves.toEqual(DEFAULT_SETTINGS)
  })
})
