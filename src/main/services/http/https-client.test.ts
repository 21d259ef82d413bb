import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo, LookupFunction } from 'node:net'

import { generate } from 'selfsigned'
import { afterEach, describe, expect, it } from 'vitest'

import { HttpsClient, NetworkError, extraCasFor, isLoopbackHost } from './https-client'

const servers: Server[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections()
    await new Promise((r) => s.close(r))
  }
})

/** A loopback HTTP server (plain HTTP is allowed to loopback hosts only). */
async function serve(
  handler: (req: IncomingMessage, res: ServerResponse) => void
): Promise<string> {
  const server = createServer(handler)
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

async function readAll(body: AsyncIterable<unknown>): Promise<string> {
  const chunks: Buffer[] = []
  for await (const c of body) {
    chunks.push(c as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

describe('HttpsClient.stream', () => {
  it('hands the body over while it is still arriving', async () => {
    let finish: (() => void) | undefined
    const base = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' })
      res.write('[{"Id":"a"}')
      finish = () => res.end(',{"Id":"b"}]')
    })
    const http = new HttpsClient({ allowHost: isLoopbackHost })
    const res = await http.stream({ url: `${base}/blob` })
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('application/json')
    const reader = res.body[Symbol.asyncIterator]()
    // The first part is readable before the server has sent the rest.
    expect(String((await reader.next()).value)).toBe('[{"Id":"a"}')
    finish?.()
    let rest = ''
    for (let next = await reader.next(); !next.done; next = await reader.next()) {
      rest += String(next.value)
    }
    expect(rest).toBe(',{"Id":"b"}]')
  })

  it('keeps the allow-list and the HTTPS-only rule', async () => {
    const http = new HttpsClient({ allowHost: isLoopbackHost })
    await expect(http.stream({ url: 'https://example.invalid/x' })).rejects.toMatchObject({
      kind: 'blocked'
    })
    await expect(new HttpsClient().stream({ url: 'http://example.invalid/x' })).rejects.toThrow(
      /HTTPS only/
    )
  })

  it('fails the body with a reset when the connection breaks mid-body (send too)', async () => {
    const base = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Length': '1000' })
      res.write('[{"Id":"a"},', () => res.socket?.destroy())
    })
    const http = new HttpsClient({ allowHost: isLoopbackHost })
    const res = await http.stream({ url: base })
    const error = await readAll(res.body).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(NetworkError)
    expect(error).toMatchObject({ kind: 'reset' })
    await expect(http.send({ url: base })).rejects.toMatchObject({ kind: 'reset' })
  })

  it('times out a body that stalls, and refused connections keep their kind', async () => {
    const base = await serve((_req, res) => {
      res.writeHead(200)
      res.write('[')
    })
    const http = new HttpsClient({ allowHost: isLoopbackHost, timeoutMs: 200 })
    const res = await http.stream({ url: base })
    await expect(readAll(res.body)).rejects.toMatchObject({ kind: 'timeout' })
    const closed = await serve(() => undefined)
    const gone = servers.pop()
    await new Promise((r) => gone?.close(r))
    await expect(http.stream({ url: closed })).rejects.toMatchObject({ kind: 'refused' })
  })
})

describe('the demo tenant CA (addLoopbackCa)', () => {
  /** A throwaway CA and an HTTPS server on 127.0.0.1 presenting a certificate it signed for `names`. */
  async function serveTls(
    ca: { key: string; cert: string },
    names: string[]
  ): Promise<{ port: number }> {
    const leaf = await generate([{ name: 'commonName', value: names[0] ?? 'x' }], {
      keySize: 2048,
      algorithm: 'sha256',
      ca,
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: names.map((value) => ({ type: 2, value })) }
      ]
    })
    const server = createHttpsServer({ key: leaf.private, cert: leaf.cert }, (_req, res) =>
      res.end('hello')
    )
    servers.push(server)
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    return { port: (server.address() as AddressInfo).port }
  }

  // Every name resolves to 127.0.0.1, as a hostile or misconfigured resolver could arrange.
  const toLoopback: LookupFunction = (_host, options, callback) => {
    if (options.all) {
      ;(callback as (e: null, a: { address: string; family: number }[]) => void)(null, [
        { address: '127.0.0.1', family: 4 }
      ])
    } else {
      callback(null, '127.0.0.1', 4)
    }
  }

  it('accepts its certificates for localhost but never for another host name', async () => {
    const ca = await generate([{ name: 'commonName', value: 'Throwaway demo CA' }], {
      keySize: 2048,
      algorithm: 'sha256',
      extensions: [{ name: 'basicConstraints', cA: true, critical: true }]
    })
    const signer = { key: ca.private, cert: ca.cert }
    const foreign = await serveTls(signer, ['login.microsoftonline.example'])
    const local = await serveTls(signer, ['localhost'])

    const http = new HttpsClient({ proxy: null, lookup: toLoopback })
    http.addLoopbackCa(ca.cert)
    const demo = await http.send({ url: `https://localhost:${local.port}/` })
    expect(demo.text).toBe('hello')
    await expect(
      http.send({ url: `https://login.microsoftonline.example:${foreign.port}/` })
    ).rejects.toMatchObject({ kind: 'tls', host: `login.microsoftonline.example:${foreign.port}` })

    // A CA the user names for every host (cax pull --ca-file) is trusted for that host too.
    const named = new HttpsClient({ proxy: null, lookup: toLoopback, extraCaPem: ca.cert })
    const reply = await named.send({
      url: `https://login.microsoftonline.example:${foreign.port}/`
    })
    expect(reply.text).toBe('hello')
  })

  it('decides per host in one place', () => {
    const cas = { everyHost: ['USER'], loopbackOnly: ['DEMO'] }
    expect(extraCasFor('127.0.0.1:8443', cas)).toEqual(['USER', 'DEMO'])
    expect(extraCasFor('LOCALHOST:1', cas)).toEqual(['USER', 'DEMO'])
    expect(extraCasFor('[::1]:1', cas)).toEqual(['USER', 'DEMO'])
    for (const host of [
      'manage.office.example',
      'localhost.evil.example',
      '127.0.0.1.nip.example'
    ]) {
      expect(extraCasFor(host, cas)).toEqual(['USER'])
    }
    expect(extraCasFor('graph.example', { everyHost: [], loopbackOnly: ['DEMO'] })).toEqual([])
  })
})
