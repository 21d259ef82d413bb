import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { describe, expect, it } from 'vitest'

import { MemoryLogger } from '../logging/logger'

import { checkOfferedPath, isWindowsUncOrDevicePath } from './offered-path'
import { displayName, OfferedSnapshots } from './offered-snapshots'

describe('checkOfferedPath on Windows (pure: runs on every platform)', () => {
  it.each([
    '\\\\server\\share\\x.caxsnap',
    '//server/share/x.caxsnap',
    '\\/server\\share\\x.caxsnap',
    '/\\server/share/x.caxsnap',
    '\\\\?\\UNC\\server\\share\\x.caxsnap',
    '\\\\?\\C:\\Users\\me\\x.caxsnap',
    '\\\\.\\pipe\\x.caxsnap',
    '\\\\attacker.example@SSL\\DavWWWRoot\\x.caxsnap'
  ])('refuses the UNC or device path %s', (path) => {
    expect(isWindowsUncOrDevicePath(path)).toBe(true)
    expect(checkOfferedPath(path, 'win32')).toEqual({
      ok: false,
      reason: 'a UNC or device path'
    })
  })

  it.each([
    ['C:\\Users\\me\\Downloads\\cache.caxsnap', 'C:\\Users\\me\\Downloads\\cache.caxsnap'],
    ['d:/exports/./cache.CAXSNAP', 'd:\\exports\\cache.CAXSNAP']
  ])('accepts the local path %s', (path, normalised) => {
    expect(checkOfferedPath(path, 'win32')).toEqual({ ok: true, path: normalised })
  })

  it.each([
    ['C:cache.caxsnap', 'not an absolute drive-letter path'],
    ['\\Users\\me\\cache.caxsnap', 'not an absolute drive-letter path'],
    ['C:\\Users\\me\\cache.zip', 'not a .caxsnap file'],
    ['C:\\x\u0000.caxsnap', 'control characters']
  ])('refuses %s', (path, reason) => {
    expect(checkOfferedPath(path, 'win32')).toEqual({ ok: false, reason })
  })
})

describe('checkOfferedPath on POSIX', () => {
  it('accepts absolute .caxsnap paths and refuses the rest', () => {
    expect(checkOfferedPath('/home/me/a/../cache.caxsnap', 'linux')).toEqual({
      ok: true,
      path: '/home/me/cache.caxsnap'
    })
    expect(checkOfferedPath('cache.caxsnap', 'darwin')).toMatchObject({ ok: false })
    expect(checkOfferedPath('/etc/passwd', 'linux')).toMatchObject({ ok: false })
    expect(checkOfferedPath('', 'linux')).toMatchObject({ ok: false })
    expect(checkOfferedPath(`/${'a'.repeat(4096)}.caxsnap`, 'linux')).toMatchObject({ ok: false })
  })
})

describe('OfferedSnapshots', () => {
  it('handles are random, one-time, expire, and dropping a private offer deletes its file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cax-offers-'))
    try {
      let now = 1_000
      const offers = new OfferedSnapshots({
        privateDir: join(dir, 'private'),
        log: new MemoryLogger(),
        ttlMs: 100,
        maxOffers: 2,
        now: () => now
      })
      const a = offers.offer({ path: '/a.caxsnap', name: 'a.caxsnap', size: 1, isPrivate: false })
      const b = offers.offer({ path: '/b.caxsnap', name: 'b.caxsnap', size: 1, isPrivate: false })
      expect(a).not.toBe(b)
      expect(offers.take(a)).toMatchObject({ path: '/a.caxsnap' })
      expect(offers.take(a)).toBeNull()
      now += 100
      expect(offers.take(b)).toBeNull()

      const { path, stream } = await offers.createPrivateFile('.caxsnap')
      stream.end('x')
      await new Promise<void>((resolve) => stream.once('close', () => resolve()))
      offers.offer({ path, name: 'up.caxsnap', size: 1, isPrivate: true })
      offers.offer({ path: '/c.caxsnap', name: 'c', size: 1, isPrivate: false })
      // A third offer drops the oldest (the upload) and its file.
      offers.offer({ path: '/d.caxsnap', name: 'd', size: 1, isPrivate: false })
      for (let i = 0; i < 100 && (await readdir(join(dir, 'private'))).length > 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
      expect(await readdir(join(dir, 'private'))).toEqual([])
      await offers.removePrivate(join(dir, 'outside.caxsnap'))
      await writeFile(join(dir, 'outside.caxsnap'), 'kept')
      await offers.removePrivate(join(dir, 'outside.caxsnap'))
      expect(await readdir(dir)).toContain('outside.caxsnap')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('display names are base names without control characters', () => {
    expect(displayName('C:\\Users\\me\\x.caxsnap')).toBe('x.caxsnap')
    expect(displayName('../../etc/\u0007bell.caxsnap')).toBe('bell.caxsnap')
    expect(displayName('')).toBe('snapshot')
  })
})
