import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

import { afterEach, describe, expect, it } from 'vitest'

import { HttpsClient, NetworkError, isLoopbackHost } from './https-client'

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
    servers.pop()?.close()
    await new Promise((r) => setTimeout(r, 20))
    await expect(http.stream({ url: closed })).rejects.toMatchObject({ kind: 'refused' })
  })
})
