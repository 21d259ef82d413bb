import { request } from 'node:https'
import type { IncomingHttpHeaders } from 'node:http'

import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node'

/** A plain HTTPS response. */
export interface LoopbackResponse {
  status: number
  headers: IncomingHttpHeaders
  rawHeaders: string[]
  text: string
}

/** Request options for {@link loopbackRequest}. */
export interface LoopbackRequestOptions {
  method?: string
  headers?: Record<string, string>
  body?: string | Uint8Array
  ca: string
}

/** Throws unless the URL points at 127.0.0.1 or localhost: tests never reach the internet. */
export function assertLoopback(url: URL): void {
  if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') {
    throw new Error(`[test] refused non-loopback request to ${url.host}`)
  }
}

/** One HTTPS request to the emulator, trusting only the test CA. */
export function loopbackRequest(
  url: string,
  options: LoopbackRequestOptions
): Promise<LoopbackResponse> {
  const target = new URL(url)
  assertLoopback(target)
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      { method: options.method ?? 'GET', headers: options.headers, ca: options.ca, agent: false },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            text: Buffer.concat(chunks).toString('utf8')
          })
        )
        res.on('error', reject)
      }
    )
    req.on('error', reject)
    req.end(options.body)
  })
}

/**
 * An msal-node `INetworkModule` over node:https that trusts the emulator's test CA and refuses
 * any non-loopback host (reference/auth.md §11 step 3). Records every URL it was asked for.
 */
export class LoopbackNetworkClient implements INetworkModule {
  readonly calls: string[] = []

  constructor(private readonly ca: string) {}

  sendGetRequestAsync<T>(
    url: string,
    options?: NetworkRequestOptions
  ): Promise<NetworkResponse<T>> {
    return this.send<T>('GET', url, options)
  }

  sendPostRequestAsync<T>(
    url: string,
    options?: NetworkRequestOptions
  ): Promise<NetworkResponse<T>> {
    return this.send<T>('POST', url, options)
  }

  private async send<T>(
    method: string,
    url: string,
    options: NetworkRequestOptions | undefined
  ): Promise<NetworkResponse<T>> {
    this.calls.push(`${method} ${url}`)
    const res = await loopbackRequest(url, {
      method,
      headers: options?.headers,
      body: options?.body,
      ca: this.ca
    })
    const headers: Record<string, string> = {}
    for (const [k, v] of Object.entries(res.headers)) {
      if (typeof v === 'string') {
        headers[k] = v
      }
    }
    return { status: res.status, headers, body: JSON.parse(res.text) as T }
  }
}
