import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { CONTENT_SECURITY_POLICY } from '../../shared/csp'
import { createAppCore } from '../app-core'
import { MemoryLogger } from '../services/logging/logger'
import { MemorySecretStore } from '../services/auth/secret-store'

import { startWebShell, type WebShell, type WebShellOptions } from './server'
import { sendRaw, type RawRequest, type Reply } from './test-http'

function send(shell: WebShell, options: RawRequest): Promise<Reply> {
  return sendRaw(shell.port, options)
}

const SECRET = 'test-secret-0123456789abcdefghijklmnopqrstuv'

/** The session cookie's value from a Set-Cookie header, or undefined. */
function sessionFrom(reply: Reply, name: string): string | undefined {
  const header = String(reply.headers['set-cookie'] ?? '')
  const match = new RegExp(`(?:^|,)\\s*${name}=([^;]*)`).exec(header)
  return match?.[1]
}

describe('browser shell server', () => {
  let dir: string
  let shell: WebShell
  let log: MemoryLogger
  /** The session cookie the start-up link was traded for in beforeEach. */
  let session: string
  const extraShells: WebShell[] = []

  /** Another shell on the same renderer folder, its link not yet used. */
  async function startShell(extra: Partial<WebShellOptions> = {}): Promise<WebShell> {
    const core = createAppCore({
      shell: 'browser',
      version: '9.9.9',
      dataDir: join(dir, `data-${extraShells.length}`),
      log,
      secrets: new MemorySecretStore(),
      opener: { open: async () => undefined }
    })
    const started = await startWebShell({
      ...core,
      rendererDir: join(dir, 'renderer'),
      log,
      port: 0,
      secret: SECRET,
      ...extra
    })
    extraShells.push(started)
    return started
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cax-web-'))
    await mkdir(join(dir, 'renderer', 'assets'), { recursive: true })
    await writeFile(join(dir, 'renderer', 'index.html'), '<!doctype html><title>frame</title>')
    await writeFile(join(dir, 'renderer', 'assets', 'app.js'), 'console.log(1)')
    await writeFile(join(dir, 'secret.txt'), 'outside the renderer')
    log = new MemoryLogger()
    const core = createAppCore({
      shell: 'browser',
      version: '9.9.9',
      dataDir: join(dir, 'data'),
      log,
      secrets: new MemorySecretStore(),
      opener: { open: async () => undefined }
    })
    shell = await startWebShell({
      ...core,
      rendererDir: join(dir, 'renderer'),
      log,
      port: 0,
      secret: SECRET,
      bodyLimit: 4096
    })
    const traded = await send(shell, {
      path: `/?secret=${SECRET}`,
      headers: { Host: `127.0.0.1:${shell.port}` }
    })
    session = sessionFrom(traded, shell.cookieName) ?? ''
    expect(session).not.toBe('')
  })

  afterEach(async () => {
    await Promise.all(extraShells.splice(0).map((s) => s.close()))
    await shell.close()
    await rm(dir, { recursive: true, force: true })
  })

  const host = (): string => `127.0.0.1:${shell.port}`
  const cookie = (value = session): string => `${shell.cookieName}=${value}`
  const callHeaders = (extra: Record<string, string> = {}): Record<string, string> => ({
    Host: host(),
    Origin: shell.origin,
    Cookie: cookie(),
    'Content-Type': 'application/json',
    ...extra
  })

  it('prints an open URL on 127.0.0.1 that carries the link secret', () => {
    expect(shell.openUrl).toBe(`http://127.0.0.1:${shell.port}/?secret=${SECRET}`)
    expect(shell.port).toBeGreaterThan(0)
  })

  it('generates a different 256-bit secret per launch when none is given', async () => {
    const core = createAppCore({
      shell: 'browser',
      version: '1',
      dataDir: join(dir, 'd2'),
      log,
      secrets: new MemorySecretStore(),
      opener: { open: async () => undefined }
    })
    const a = await startWebShell({ ...core, rendererDir: dir, log, port: 0 })
    const b = await startWebShell({ ...core, rendererDir: dir, log, port: 0 })
    const secretOf = (s: WebShell): string => new URL(s.openUrl).searchParams.get('secret') ?? ''
    expect(secretOf(a)).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(secretOf(a)).not.toBe(secretOf(b))
    await a.close()
    await b.close()
  })

  describe('the one-time start-up link', () => {
    it('is traded once for a separate random HttpOnly, SameSite=Strict session cookie', async () => {
      const fresh = await startShell()
      const reply = await send(fresh, {
        path: `/?secret=${SECRET}`,
        headers: { Host: `127.0.0.1:${fresh.port}` }
      })
      expect(reply.status).toBe(200)
      expect(reply.headers['content-type']).toContain('text/html')
      expect(reply.headers['cache-control']).toBe('no-store')
      // A page that moves on to / by itself (a same-origin navigation that carries the cookie).
      expect(reply.body).toContain('<meta http-equiv="refresh" content="0;url=/">')
      const setCookie = String(reply.headers['set-cookie'])
      expect(setCookie).toMatch(/; HttpOnly/)
      expect(setCookie).toMatch(/; SameSite=Strict/)
      expect(setCookie).toMatch(/; Path=\//)
      const value = sessionFrom(reply, fresh.cookieName)
      expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/)
      expect(value).not.toBe(SECRET)
      expect(fresh.cookieName).toBe(`cax-session-${fresh.port}`)
      const page = await send(fresh, {
        path: '/',
        headers: { Host: `127.0.0.1:${fresh.port}`, Cookie: `${fresh.cookieName}=${value}` }
      })
      expect(page.status).toBe(200)
      expect(page.body).toContain('<title>frame</title>')
    })

    it('is refused on a second use with a page that says it was used', async () => {
      const reply = await send(shell, { path: `/?secret=${SECRET}`, headers: { Host: host() } })
      expect(reply.status).toBe(410)
      expect(reply.headers['content-type']).toContain('text/html')
      expect(reply.headers['set-cookie']).toBeUndefined()
      expect(reply.body).toContain('This link was already used')
      expect(reply.body).not.toContain('<title>frame</title>')
    })

    it('tells the shell once when it has been used', async () => {
      let uses = 0
      const fresh = await startShell({ onLinkUsed: () => (uses += 1) })
      const open = (): Promise<Reply> =>
        send(fresh, { path: `/?secret=${SECRET}`, headers: { Host: `127.0.0.1:${fresh.port}` } })
      await open()
      await open()
      expect(uses).toBe(1)
    })

    it('is refused once it has expired, and gives no session', async () => {
      let now = 1_000_000
      const fresh = await startShell({ linkTtlMs: 60_000, now: () => now })
      expect(fresh.linkExpiresAt).toBe(1_060_000)
      now = 1_060_000
      const reply = await send(fresh, {
        path: `/?secret=${SECRET}`,
        headers: { Host: `127.0.0.1:${fresh.port}` }
      })
      expect(reply.status).toBe(410)
      expect(reply.body).toContain('This link has expired')
      expect(reply.headers['set-cookie']).toBeUndefined()
    })

    it('works until just before it expires', async () => {
      let now = 5_000
      const fresh = await startShell({ linkTtlMs: 60_000, now: () => now })
      now = 64_999
      const reply = await send(fresh, {
        path: `/?secret=${SECRET}`,
        headers: { Host: `127.0.0.1:${fresh.port}` }
      })
      expect(reply.status).toBe(200)
      expect(sessionFrom(reply, fresh.cookieName)).toBeDefined()
    })

    it('refuses a wrong secret (401) without using up the real one', async () => {
      const fresh = await startShell()
      const wrong = await send(fresh, {
        path: `/?secret=${SECRET.replace(/.$/, 'X')}`,
        headers: { Host: `127.0.0.1:${fresh.port}` }
      })
      expect(wrong.status).toBe(401)
      expect(wrong.body).toContain('This link is not valid')
      expect(wrong.headers['set-cookie']).toBeUndefined()
      const right = await send(fresh, {
        path: `/?secret=${SECRET}`,
        headers: { Host: `127.0.0.1:${fresh.port}` }
      })
      expect(right.status).toBe(200)
    })

    it('sends the browser that already holds the session on to the app', async () => {
      const reply = await send(shell, {
        path: `/?secret=${SECRET}`,
        headers: { Host: host(), Cookie: cookie() }
      })
      expect(reply.status).toBe(303)
      expect(reply.headers.location).toBe('/')
      expect(reply.headers['set-cookie']).toBeUndefined()
    })

    it('is accepted from a cross-site navigation (the local redirect file), nothing else is', async () => {
      const fresh = await startShell()
      const headers = {
        Host: `127.0.0.1:${fresh.port}`,
        'Sec-Fetch-Site': 'cross-site',
        'Sec-Fetch-Mode': 'navigate'
      }
      const reply = await send(fresh, { path: `/?secret=${SECRET}`, headers })
      expect(reply.status).toBe(200)
      const value = sessionFrom(reply, fresh.cookieName)
      const page = await send(fresh, {
        path: '/',
        headers: { ...headers, Cookie: `${fresh.cookieName}=${value}` }
      })
      expect(page.status).toBe(403)
    })

    it('is never the session: the link secret as a cookie is refused', async () => {
      const reply = await send(shell, {
        path: '/',
        headers: { Host: host(), Cookie: cookie(SECRET) }
      })
      expect(reply.status).toBe(401)
    })

    it('gives nothing before it is used: a guessed session cookie is refused', async () => {
      const fresh = await startShell()
      const reply = await send(fresh, {
        path: '/',
        headers: { Host: `127.0.0.1:${fresh.port}`, Cookie: `${fresh.cookieName}=` }
      })
      expect(reply.status).toBe(401)
    })
  })

  it('serves the renderer with the CSP to a request carrying the cookie', async () => {
    const reply = await send(shell, { path: '/', headers: { Host: host(), Cookie: cookie() } })
    expect(reply.status).toBe(200)
    expect(reply.body).toContain('<title>frame</title>')
    expect(reply.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY)
    expect(reply.headers['x-frame-options']).toBe('DENY')
    const asset = await send(shell, {
      path: '/assets/app.js',
      headers: { Host: host(), Cookie: cookie() }
    })
    expect(asset.headers['content-type']).toContain('text/javascript')
  })

  it.each([
    ['no secret at all', {}],
    ['a cookie of another port', { Cookie: 'cax-session-1=SESSION; other=1' }],
    ['a wrong secret', { Cookie: 'x' }],
    ['a secret of the right length but wrong value', { Cookie: 'WRONG' }]
  ])('refuses a page request with %s (401)', async (_label, headers) => {
    const h: Record<string, string> = { Host: host(), ...headers }
    if (h.Cookie === 'x') {
      h.Cookie = cookie('nope')
    } else if (h.Cookie === 'WRONG') {
      h.Cookie = cookie(session.replace(/.$/, session.endsWith('X') ? 'Y' : 'X'))
    } else if (h.Cookie?.includes('SESSION')) {
      h.Cookie = h.Cookie.replace('SESSION', session)
    }
    const reply = await send(shell, { path: '/', headers: h })
    expect(reply.status).toBe(401)
    expect(JSON.parse(reply.body).error.code).toBe('web/unauthorized')
    expect(reply.body).not.toContain('frame')
  })

  it('refuses calls and events without the session cookie (401)', async () => {
    const call = await send(shell, {
      method: 'POST',
      path: '/api/app:get-info',
      headers: callHeaders({ Cookie: '' }),
      body: '{}'
    })
    expect(call.status).toBe(401)
    const events = await send(shell, { path: '/api/events', headers: { Host: host() } })
    expect(events.status).toBe(401)
  })

  it('does not accept the link secret as a query parameter on calls or events', async () => {
    const reply = await send(shell, {
      method: 'POST',
      path: `/api/app:get-info?secret=${SECRET}`,
      headers: callHeaders({ Cookie: '' }),
      body: '{}'
    })
    expect(reply.status).toBe(401)
    const events = await send(shell, {
      path: `/api/events?secret=${SECRET}`,
      headers: { Host: host() }
    })
    expect(events.status).toBe(401)
  })

  it.each(['evil.example', `evil.example:${0}`, 'localhost.evil.example', '127.0.0.1:1', '[::1]'])(
    'refuses Host %j (DNS rebinding) with 421',
    async (badHost) => {
      const reply = await send(shell, {
        path: '/',
        headers: {
          Host: badHost.endsWith(':0') ? `evil.example:${shell.port}` : badHost,
          Cookie: cookie()
        }
      })
      expect(reply.status).toBe(421)
      expect(JSON.parse(reply.body).error.code).toBe('web/bad-host')
    }
  )

  it('refuses a request with no Host header at all', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(shell.port, '127.0.0.1', () => {
        socket.end(`GET / HTTP/1.0\r\nCookie: ${cookie()}\r\n\r\n`)
      })
      let text = ''
      socket.on('data', (c: Buffer) => (text += c.toString()))
      socket.on('end', () => resolve(text))
      socket.on('error', reject)
    })
    expect(reply.split('\r\n')[0]).toContain('421')
  })

  it('accepts localhost as well as 127.0.0.1 on our port', async () => {
    const reply = await send(shell, {
      path: '/',
      headers: { Host: `localhost:${shell.port}`, Cookie: cookie() }
    })
    expect(reply.status).toBe(200)
  })

  it.each([
    'https://evil.example',
    'null',
    `http://127.0.0.1:${1}`,
    'http://localhost.evil.example'
  ])('refuses a call from Origin %s with 403', async (origin) => {
    const reply = await send(shell, {
      method: 'POST',
      path: '/api/settings:update',
      headers: callHeaders({ Origin: origin }),
      body: '{"theme":"dark"}'
    })
    expect(reply.status).toBe(403)
    expect(JSON.parse(reply.body).error.code).toBe('web/bad-origin')
  })

  it('refuses a call without an Origin header and a cross-site fetch', async () => {
    const headers = callHeaders()
    delete headers.Origin
    const noOrigin = await send(shell, {
      method: 'POST',
      path: '/api/app:get-info',
      headers,
      body: '{}'
    })
    expect(noOrigin.status).toBe(403)
    const crossSite = await send(shell, {
      path: '/',
      headers: { Host: host(), Cookie: cookie(), 'Sec-Fetch-Site': 'cross-site' }
    })
    expect(crossSite.status).toBe(403)
  })

  it('answers a valid call with the same result object as IPC', async () => {
    const reply = await send(shell, {
      method: 'POST',
      path: '/api/app:get-info',
      headers: callHeaders(),
      body: '{}'
    })
    expect(reply.status).toBe(200)
    expect(JSON.parse(reply.body)).toMatchObject({
      ok: true,
      value: { version: '9.9.9', shell: 'browser' }
    })
  })

  it('refuses invalid arguments with 400 and the error code', async () => {
    const reply = await send(shell, {
      method: 'POST',
      path: '/api/settings:update',
      headers: callHeaders(),
      body: '{"theme":"blue"}'
    })
    expect(reply.status).toBe(400)
    expect(JSON.parse(reply.body).error.code).toBe('ipc/invalid-input')
  })

  it('refuses a body that is not JSON with 400', async () => {
    const reply = await send(shell, {
      method: 'POST',
      path: '/api/settings:update',
      headers: callHeaders(),
      body: '{"theme":'
    })
    expect(reply.status).toBe(400)
    expect(JSON.parse(reply.body).error.code).toBe('ipc/invalid-input')
  })

  it('refuses an oversized body with 413, declared or streamed', async () => {
    const big = JSON.stringify({ theme: 'dark', pad: 'x'.repeat(10_000) })
    const declared = await send(shell, {
      method: 'POST',
      path: '/api/settings:update',
      headers: callHeaders(),
      body: big
    })
    expect(declared.status).toBe(413)
    expect(JSON.parse(declared.body).error.code).toBe('web/payload-too-large')
    const chunked = await send(shell, {
      method: 'POST',
      path: '/api/settings:update',
      headers: callHeaders({ 'Transfer-Encoding': 'chunked' }),
      body: Buffer.from(big)
    })
    expect(chunked.status).toBe(413)
  })

  it('refuses non-JSON content types (415), GET calls (405) and unknown channels (404)', async () => {
    const form = await send(shell, {
      method: 'POST',
      path: '/api/app:get-info',
      headers: callHeaders({ 'Content-Type': 'application/x-www-form-urlencoded' }),
      body: 'a=1'
    })
    expect(form.status).toBe(415)
    const get = await send(shell, {
      path: '/api/app:get-info',
      headers: { Host: host(), Cookie: cookie() }
    })
    expect(get.status).toBe(405)
    const unknown = await send(shell, {
      method: 'POST',
      path: '/api/admin:shell',
      headers: callHeaders(),
      body: '{}'
    })
    expect(unknown.status).toBe(404)
    expect(JSON.parse(unknown.body).error.code).toBe('ipc/unknown-channel')
  })

  it('never serves files outside the renderer folder', async () => {
    for (const path of [
      '/../secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%5c..%5csecret.txt'
    ]) {
      const reply = await send(shell, { path, headers: { Host: host(), Cookie: cookie() } })
      expect(reply.body).not.toContain('outside the renderer')
    }
  })

  it('pushes contract events over server-sent events', async () => {
    const received = new Promise<string>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: shell.port,
          path: '/api/events',
          headers: { Host: host(), Cookie: cookie() }
        },
        (res) => {
          expect(res.headers['content-type']).toContain('text/event-stream')
          let text = ''
          res.on('data', (chunk: Buffer) => {
            text += chunk.toString()
            if (text.includes('event: settings:did-change')) {
              resolve(text)
              req.destroy()
            }
          })
          // Once the stream is open, change a setting through a call.
          void send(shell, {
            method: 'POST',
            path: '/api/settings:update',
            headers: callHeaders(),
            body: '{"theme":"dark"}'
          })
        }
      )
      req.on('error', reject)
      req.end()
    })
    const text = await received
    expect(text).toContain('data: {"theme":"dark","updates":"automatic"}')
  })
})
