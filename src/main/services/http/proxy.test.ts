import { createServer, type Server } from 'node:http'
import { connect, type AddressInfo, type Socket } from 'node:net'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { startEmulator, type Emulator } from '../../../emulator'

import { HttpsClient, proxyFromEnv, shouldProxy, type ProxyConfig } from './https-client'

describe('proxy settings', () => {
  it('reads HTTPS_PROXY and NO_PROXY in either case', () => {
    expect(proxyFromEnv({})).toBeNull()
    expect(
      proxyFromEnv({
        https_proxy: 'http://proxy:3128',
        no_proxy: 'corp.example, .internal  10.0.0.1'
      })
    ).toEqual({
      url: 'http://proxy:3128',
      noProxy: ['corp.example', '.internal', '10.0.0.1']
    })
    expect(proxyFromEnv({ HTTPS_PROXY: ' http://p:8080 ' })?.url).toBe('http://p:8080')
  })

  const config: ProxyConfig = {
    url: 'http://proxy:3128',
    noProxy: ['corp.example', '.internal', 'api.example:8443']
  }

  it.each([
    ['login.example.com', true],
    ['corp.example', false],
    ['sso.corp.example', false],
    ['notcorp.example', true],
    ['x.internal', false],
    ['api.example:8443', false],
    ['api.example:443', true],
    ['127.0.0.1:8443', false],
    ['localhost:1', false]
  ])('%s through the proxy: %s', (host, expected) => {
    expect(shouldProxy(host, config)).toBe(expected)
  })

  it('sends nothing through the proxy for *', () => {
    expect(shouldProxy('login.example.com', { url: 'http://p:1', noProxy: ['*'] })).toBe(false)
  })
})

describe('HttpsClient through a CONNECT proxy', () => {
  let emu: Emulator
  let proxy: Server
  let proxyPort: number
  const tunnels: string[] = []
  const sockets = new Set<Socket>()

  beforeAll(async () => {
    emu = await startEmulator({ seed: 2 })
    proxy = createServer((_req, res) => res.writeHead(405).end())
    proxy.on('connect', (req, client: Socket, head: Buffer) => {
      tunnels.push(req.url ?? '')
      sockets.add(client)
      const [host, port] = (req.url ?? '').split(':')
      const upstream = connect(Number(port), host, () => {
        sockets.add(upstream)
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
        upstream.write(head)
        upstream.pipe(client)
        client.pipe(upstream)
      })
      upstream.on('error', () => client.destroy())
      client.on('error', () => upstream.destroy())
    })
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
    proxyPort = (proxy.address() as AddressInfo).port
  })

  afterAll(async () => {
    // CONNECT tunnels are detached from the HTTP server: end them by hand.
    for (const socket of sockets) {
      socket.destroy()
    }
    proxy.closeAllConnections()
    await new Promise<void>((resolve) => proxy.close(() => resolve()))
    await emu.close()
  })

  it('tunnels HTTPS requests and still checks the server certificate', async () => {
    const viaProxy = { url: `http://127.0.0.1:${proxyPort}`, noProxy: [], includeLoopback: true }
    const http = new HttpsClient({ extraCaPem: emu.caCertPem, proxy: viaProxy })
    const url = `${emu.urls.authorityHost}/${emu.tenantId}/v2.0/.well-known/openid-configuration`
    const res = await http.send({ url })
    expect(res.status).toBe(200)
    expect(tunnels).toContain(new URL(emu.urls.authorityHost).host)

    const untrusting = new HttpsClient({ proxy: viaProxy })
    await expect(untrusting.send({ url })).rejects.toMatchObject({ kind: 'tls' })
  })

  it('goes direct for loopback unless told otherwise, and reports a dead proxy', async () => {
    const before = tunnels.length
    const direct = new HttpsClient({
      extraCaPem: emu.caCertPem,
      proxy: { url: `http://127.0.0.1:${proxyPort}`, noProxy: [] }
    })
    const res = await direct.send({
      url: `${emu.urls.authorityHost}/${emu.tenantId}/v2.0/.well-known/openid-configuration`
    })
    expect(res.status).toBe(200)
    expect(tunnels.length).toBe(before)

    const dead = new HttpsClient({
      extraCaPem: emu.caCertPem,
      proxy: { url: 'http://127.0.0.1:9', noProxy: [], includeLoopback: true }
    })
    await expect(dead.send({ url: emu.urls.authorityHost })).rejects.toMatchObject({
      kind: 'refused'
    })
  })
})
