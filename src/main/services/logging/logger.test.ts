import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { FileLogger, MemoryLogger, redactSecrets } from './logger'

describe('redactSecrets', () => {
  it.each([
    ['a JWT', 'token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl done', 'eyJhbGci'],
    ['a code in a URL', 'GET http://localhost:5000/?code=0.AAAbcdef&state=x', '0.AAAbcdef'],
    [
      'a refresh token in a form',
      'grant_type=refresh_token&refresh_token=1.Aq9zz&client_id=a',
      '1.Aq9zz'
    ],
    ['a secret in JSON', '{"secret":"s3cr3t-value","other":1}', 's3cr3t-value'],
    ['a bearer header', 'Authorization: Bearer abcdefghijklmnop', 'abcdefghijklmnop']
  ])('removes %s', (_label, line, secret) => {
    const redacted = redactSecrets(line)
    expect(redacted).not.toContain(secret)
    expect(redacted).toContain('redacted')
  })

  it('leaves ordinary lines alone', () => {
    const line = '[acquire] window 2026-05-19T00Z skipped: AF20051 (412 records)'
    expect(redactSecrets(line)).toBe(line)
  })
})

describe('FileLogger', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cax-log-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })
  const now = (): Date => new Date('2026-05-20T10:00:00.000Z')

  it.runIf(process.platform !== 'win32')(
    'writes owner-only: a folder it creates 0700, the log 0600, also one left readable',
    async () => {
      const logs = join(dir, 'new', 'logs')
      const log = new FileLogger({ dir: logs, now })
      log.info('[app] first line')
      await log.flush()
      expect((await stat(logs)).mode & 0o777).toBe(0o700)
      expect((await stat(join(logs, 'main.log'))).mode & 0o777).toBe(0o600)

      const old = join(dir, 'old')
      await mkdir(old)
      await writeFile(join(old, 'main.log'), 'an older line\n', { mode: 0o644 })
      await chmod(join(old, 'main.log'), 0o644)
      const again = new FileLogger({ dir: old, now })
      again.info('[app] next line')
      await again.flush()
      expect((await stat(join(old, 'main.log'))).mode & 0o777).toBe(0o600)
    }
  )

  it('writes redacted, timestamped lines to <dir>/main.log, creating the folder', async () => {
    const logs = join(dir, 'logs')
    const log = new FileLogger({ dir: logs, now })
    log.info('[auth] token endpoint said refresh_token=1.Aq9zz-secret')
    log.warn('[auth] header Authorization: Bearer abcdefghijklmnop')
    log.error('two\nlines')
    await log.flush()
    const text = await readFile(join(logs, 'main.log'), 'utf8')
    expect(text).toBe(
      [
        '2026-05-20T10:00:00.000Z info [auth] token endpoint said refresh_token=[redacted]',
        '2026-05-20T10:00:00.000Z warn [auth] header Authorization: Bearer [redacted]',
        '2026-05-20T10:00:00.000Z error two ⏎ lines',
        ''
      ].join('\n')
    )
    expect(log.path).toBe(join(logs, 'main.log'))
  })

  it('rotates at the size limit and keeps only `keep` old files', async () => {
    const log = new FileLogger({ dir, now, maxBytes: 100, keep: 2 })
    // Each line is 24 (timestamp) + 6 + 50 + 1 = 81 bytes: every line starts a new file.
    for (const n of [1, 2, 3, 4]) {
      log.info(`${n}`.repeat(50))
    }
    await log.flush()
    expect((await readdir(dir)).sort()).toEqual(['main.1.log', 'main.2.log', 'main.log'])
    expect(await readFile(join(dir, 'main.log'), 'utf8')).toContain('4'.repeat(50))
    expect(await readFile(join(dir, 'main.1.log'), 'utf8')).toContain('3'.repeat(50))
    expect(await readFile(join(dir, 'main.2.log'), 'utf8')).toContain('2'.repeat(50))
    const sizes = await Promise.all(
      ['main.log', 'main.1.log', 'main.2.log'].map(async (f) => (await stat(join(dir, f))).size)
    )
    expect(sizes.every((s) => s <= 100)).toBe(true)
  })

  it('continues an existing file after a restart and counts its size', async () => {
    await writeFile(join(dir, 'main.log'), 'x'.repeat(90) + '\n')
    const log = new FileLogger({ dir, now, maxBytes: 100 })
    log.info('next')
    await log.flush()
    expect(await readFile(join(dir, 'main.1.log'), 'utf8')).toBe('x'.repeat(90) + '\n')
    expect(await readFile(join(dir, 'main.log'), 'utf8')).toContain('info next')
  })

  it('never throws when the folder cannot be written; the mirror hears about it', async () => {
    const blocker = join(dir, 'not-a-folder')
    await writeFile(blocker, '')
    const mirror = new MemoryLogger()
    const log = new FileLogger({ dir: blocker, now, mirror })
    expect(() => log.info('hello')).not.toThrow()
    await log.flush()
    expect(mirror.lines[0]).toBe('info hello')
    expect(mirror.lines[1]).toMatch(/^error \[log\] could not write .*main\.log: E/)
  })
})
