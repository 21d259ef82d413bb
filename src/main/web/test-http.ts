/**
 * Test support for the browser shell's tests: a raw HTTP request over node:http, so a test controls
 * every header (fetch forbids setting Host and Origin) and sees every response header.
 */
import { request } from 'node:http'

export interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

export interface RawRequest {
  method?: string
  path: string
  headers?: Record<string, string>
  body?: Buffer | string
}

/**
 * Sends one request to 127.0.0.1:`port` and resolves with the whole reply. A server that refuses
 * an upload may close the connection before the body is written; EPIPE and ECONNRESET while
 * sending are then ignored and the reply it did send is still returned.
 */
export function sendRaw(port: number, options: RawRequest): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: options.headers
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString()
          })
        )
      }
    )
    req.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)
    )
    req.end(options.body)
  })
}
