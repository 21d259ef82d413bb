import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import {
  browserCommand,
  openInBrowser,
  openPrivately,
  redirectPage,
  writeRedirectFile
} from './open-browser'

const LINK = 'http://127.0.0.1:5780/?secret=s3cr3t-AbCdEf_0123456789'

describe('browserCommand', () => {
  it('passes the target as a single argument on every platform', () => {
    const url = 'http://127.0.0.1:5780/?secret=a&b=c^d'
    expect(browserCommand('linux', url)).toEqual(['xdg-open', [url]])
    expect(browserCommand('darwin', url)).toEqual(['open', [url]])
    expect(browserCommand('win32', url)).toEqual(['rundll32', ['url.dll,FileProtocolHandler', url]])
  })
})

describe('openInBrowser', () => {
  it('refuses anything but http(s) without starting a process', async () => {
    await expect(openInBrowser('file:///etc/passwd')).resolves.toBe(false)
    await expect(openInBrowser('javascript:alert(1)')).resolves.toBe(false)
  })
})

describe('redirectPage', () => {
  it('refreshes to the link and escapes it for the attribute', () => {
    expect(redirectPage(LINK)).toContain(`<meta http-equiv="refresh" content="0;url=${LINK}">`)
    const hostile = redirectPage('http://127.0.0.1:1/?a="><script>x</script>&b=1')
    expect(hostile).not.toContain('<script>')
    expect(hostile).toContain('&quot;&gt;&lt;script&gt;')
    expect(hostile).toContain('&amp;b=1')
  })
})

describe('the private redirect file', () => {
  let dir: string

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cax-open-test-'))
  })

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it.runIf(process.platform !== 'win32')(
    'is 0600 in a fresh 0700 folder, and dispose removes both',
    async () => {
      const { file, dispose } = await writeRedirectFile(LINK, dir)
      expect((await stat(file)).mode & 0o777).toBe(0o600)
      expect((await stat(dirname(file))).mode & 0o777).toBe(0o700)
      expect(await readFile(file, 'utf8')).toContain(LINK)
      await dispose()
      await expect(stat(dirname(file))).rejects.toMatchObject({ code: 'ENOENT' })
      await dispose()
    }
  )

  it.runIf(process.platform === 'linux')(
    "keeps the secret off the opener's command line (/proc/<pid>/cmdline)",
    async () => {
      // A stand-in xdg-open that records its own command line as the kernel shows it to others.
      const bin = join(dir, 'bin')
      const out = join(dir, 'cmdline')
      await mkdir(bin)
      const script = join(bin, 'xdg-open')
      await writeFile(
        script,
        `#!/bin/sh\ncat /proc/$$/cmdline > "${out}.tmp"\nmv "${out}.tmp" "${out}"\n`
      )
      await chmod(script, 0o755)
      const opened = await openPrivately(LINK, {
        platform: 'linux',
        env: { ...process.env, PATH: `${bin}:${process.env['PATH'] ?? ''}` },
        tempDir: dir
      })
      expect(opened.isOpened).toBe(true)
      const cmdline = await vi.waitFor(() => readFile(out, 'utf8'), { timeout: 15_000 })
      const args = cmdline.split('\0').filter((a) => a !== '')
      expect(args).toEqual(['/bin/sh', script, opened.file])
      expect(cmdline).not.toContain('s3cr3t')
      expect(cmdline).not.toContain('secret=')
      // The browser reads the link from the file, which only this user can read.
      expect(await readFile(opened.file, 'utf8')).toContain(LINK)
      expect((await stat(opened.file)).mode & 0o777).toBe(0o600)
      await opened.dispose()
    }
  )

  it('refuses to write anything for a non-http link', async () => {
    await expect(openPrivately('file:///etc/passwd', { tempDir: dir })).rejects.toThrow(/http/)
  })
})
