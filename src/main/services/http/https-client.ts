/**
 * The one outbound HTTP(S) client of the main process: MSAL's network module and the audit API
 * clients go through it. It can trust an extra CA for every host (a corporate CA the user names),
 * trust the demo tenant's throwaway CA for loopback hosts only, refuse hosts outside an
 * allow-list (tests prove "no internet"), and turns socket failures into one error type with a
 * stable kind.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import type { LookupFunction } from 'node:net'
import { PassThrough, type Readable } from 'node:stream'
import { createSecureContext, rootCertificates } from 'node:tls'

import { HttpsProxyAgent } from 'https-proxy-agent'

/** Why a request produced no HTTP response. */
export type NetworkFailureKind = 'refused' | 'unreachable' | 'timeout' | 'reset' | 'tls' | 'blocked'

/** A request that produced no HTTP response. */
export class NetworkError extends Error {
  constructor(
    readonly kind: NetworkFailureKind,
    readonly host: string,
    message: string
  ) {
    super(message)
    this.name = 'NetworkError'
  }
}

/** An HTTP response with its body read as text. */
export interface HttpResponse {
  status: number
  /** Header names in lower case, as Node gives them. */
  headers: IncomingHttpHeaders
  text: string
}

/**
 * An HTTP response whose body is still arriving. Read `body` to its end, or destroy it: either
 * releases the connection. A body that breaks off fails with a {@link NetworkError} (`reset`, or
 * `timeout` when the exchange's time-out fires first).
 */
export interface HttpStreamResponse {
  status: number
  /** Header names in lower case, as Node gives them. */
  headers: IncomingHttpHeaders
  body: Readable
}

export interface HttpClientOptions {
  /** Extra CA certificates to trust for every host (PEM), in addition to the system store. */
  extraCaPem?: string
  /** When set, only hosts for which it returns true may be contacted. */
  allowHost?: (host: string) => boolean
  /** Per-request time-out for the whole exchange, in ms (default 60 s). */
  timeoutMs?: number
  /**
   * The HTTPS proxy to tunnel through (CONNECT), or null for none. Default: HTTPS_PROXY /
   * https_proxy and NO_PROXY / no_proxy from the environment, as corporate networks set them.
   */
  proxy?: ProxyConfig | null
  /** Tests only: resolves host names (a non-loopback name served on 127.0.0.1). */
  lookup?: LookupFunction
}

/** Where to send HTTPS requests through a proxy, and which hosts go direct. */
export interface ProxyConfig {
  /** `http://proxy.corp.example:8080` (credentials in the URL are sent as Basic auth). */
  url: string
  /** Hosts that bypass the proxy: `*`, `example.com` (and its subdomains), `.example.com`, `host:port`. */
  noProxy: string[]
  /** Tests only: loopback addresses normally never go through a proxy. */
  includeLoopback?: boolean
}

/** The proxy the environment asks for, or null. */
export function proxyFromEnv(env: NodeJS.ProcessEnv = process.env): ProxyConfig | null {
  const url = env['HTTPS_PROXY'] ?? env['https_proxy'] ?? ''
  if (url.trim() === '') {
    return null
  }
  const noProxy = (env['NO_PROXY'] ?? env['no_proxy'] ?? '')
    .split(/[,\s]+/)
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry !== '')
  return { url: url.trim(), noProxy }
}

/** Whether a request to `host` (`name` or `name:port`) goes through the proxy. */
export function shouldProxy(host: string, config: ProxyConfig): boolean {
  const lower = host.toLowerCase()
  if (isLoopbackHost(lower) && !config.includeLoopback) {
    return false
  }
  const name = lower.replace(/:\d+$/, '')
  return !config.noProxy.some((entry) => {
    if (entry === '*') {
      return true
    }
    if (entry.includes(':') && !entry.startsWith('[')) {
      return entry === lower
    }
    const suffix = entry.startsWith('.') ? entry.slice(1) : entry
    return name === suffix || name.endsWith(`.${suffix}`)
  })
}

export interface HttpRequest {
  method?: string
  url: string
  headers?: Record<string, string>
  body?: string | Uint8Array
  timeoutMs?: number
  signal?: AbortSignal
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID'
])

function classify(code: string | undefined): NetworkFailureKind {
  if (code === 'ECONNREFUSED') {
    return 'refused'
  }
  if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT') {
    return 'timeout'
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ERR_STREAM_PREMATURE_CLOSE') {
    return 'reset'
  }
  if (code !== undefined && TLS_CODES.has(code)) {
    return 'tls'
  }
  return 'unreachable'
}

/** Only 127.0.0.1 and localhost: the allow-list tests and demo mode use. */
export function isLoopbackHost(host: string): boolean {
  const name = host.replace(/:\d+$/, '')
  return name === '127.0.0.1' || name === 'localhost' || name === '[::1]'
}

/** The CAs a client trusts beyond the system store. */
export interface TrustedCas {
  /** Trusted for every host (a CA the user named, e.g. `cax pull --ca-file`). */
  everyHost: readonly string[]
  /** Trusted for loopback hosts only (the in-process demo tenant's throwaway CA). */
  loopbackOnly: readonly string[]
}

/**
 * The extra CAs a TLS connection to `host` may be verified with, or an empty list for the system
 * store alone. The one place the per-host trust decision is made: a throwaway CA whose key lived
 * in this process must never vouch for a Microsoft host, so it only counts for a loopback name.
 * The decision is by the name connected to (also what the certificate is checked against), so a
 * name that merely resolves to 127.0.0.1 does not qualify.
 */
export function extraCasFor(host: string, cas: TrustedCas): readonly string[] {
  return isLoopbackHost(host.toLowerCase())
    ? [...cas.everyHost, ...cas.loopbackOnly]
    : cas.everyHost
}

/** A small HTTPS client with the options above. */
export class HttpsClient {
  private readonly cas: { everyHost: string[]; loopbackOnly: string[] }
  private readonly proxy: ProxyConfig | null
  private proxyAgent: HttpsProxyAgent<string> | undefined
  /** `ca` option values by their extra CAs (Node replaces the system store when `ca` is given). */
  private readonly caLists = new Map<string, string[]>()
  /**
   * Connection pools by the extra CAs they trust, each with its TLS context built once. Passing
   * `ca` on every request instead costs a parse of every root certificate per connection and a
   * pool key built from all of them per request (seconds of CPU over a sync). The pools belong to
   * this client, so a connection trusted under one CA list is never reused under another.
   */
  private readonly caAgents = new Map<string, HttpsAgent>()

  constructor(private readonly options: HttpClientOptions = {}) {
    this.cas = { everyHost: options.extraCaPem ? [options.extraCaPem] : [], loopbackOnly: [] }
    this.proxy = options.proxy === undefined ? proxyFromEnv() : options.proxy
  }

  /**
   * Trusts one more CA from now on, for loopback hosts only (the in-process demo tenant's
   * throwaway CA): a request to any other host never accepts a certificate it signed.
   */
  addLoopbackCa(pem: string): void {
    if (!this.cas.loopbackOnly.includes(pem)) {
      this.cas.loopbackOnly.push(pem)
    }
  }

  /** Sends one request and reads the whole body. Throws {@link NetworkError} without a response. */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const res = await this.stream(req)
    const chunks: Buffer[] = []
    for await (const chunk of res.body) {
      chunks.push(chunk as Buffer)
    }
    return {
      status: res.status,
      headers: res.headers,
      text: Buffer.concat(chunks).toString('utf8')
    }
  }

  /**
   * Sends one request and resolves once the status line and headers are in, with the body as a
   * stream (large audit blobs are read record by record, never held whole). Same allow-list, CA
   * and error classes as {@link send}; the time-out covers the whole exchange, body included,
   * until the body ends or is destroyed.
   */
  stream(req: HttpRequest): Promise<HttpStreamResponse> {
    const url = new URL(req.url)
    if (this.options.allowHost && !this.options.allowHost(url.host)) {
      return Promise.reject(
        new NetworkError('blocked', url.host, `Requests to ${url.host} are not allowed here`)
      )
    }
    const isHttps = url.protocol === 'https:'
    if (!isHttps && !(url.protocol === 'http:' && isLoopbackHost(url.host))) {
      return Promise.reject(
        new NetworkError('blocked', url.host, `Refusing plain HTTP to ${url.host}: HTTPS only`)
      )
    }
    const timeoutMs = req.timeoutMs ?? this.options.timeoutMs ?? 60_000
    return new Promise((resolve, reject) => {
      const options = {
        method: req.method ?? 'GET',
        headers: req.headers,
        signal: req.signal,
        ...(this.options.lookup ? { lookup: this.options.lookup } : {}),
        ...(isHttps ? this.tlsOptions(url.host) : {})
      }
      let isTimedOut = false
      let body: PassThrough | undefined
      const handle = (isHttps ? httpsRequest : httpRequest)(url, options, (res) => {
        const out = new PassThrough()
        body = out
        const brokeOff = (detail: string | undefined): void => {
          clearTimeout(timer)
          const error = isTimedOut
            ? new NetworkError('timeout', url.host, `${url.host}: ETIMEDOUT while reading the body`)
            : new NetworkError(
                'reset',
                url.host,
                `The response from ${url.host} broke off${detail ? ` (${detail})` : ''}`
              )
          out.destroy(error)
        }
        res.on('error', (error: NodeJS.ErrnoException) => brokeOff(error.code ?? error.message))
        res.on('aborted', () => brokeOff(undefined))
        res.on('end', () => clearTimeout(timer))
        // A reader that stops early (a malformed body) releases the connection.
        out.on('close', () => {
          clearTimeout(timer)
          if (!res.complete) {
            res.destroy()
          }
        })
        res.pipe(out)
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: out })
      })
      const timer = setTimeout(() => {
        isTimedOut = true
        handle.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }))
      }, timeoutMs)
      handle.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer)
        const kind = isTimedOut || error.name === 'AbortError' ? 'timeout' : classify(error.code)
        const failure = new NetworkError(
          kind,
          url.host,
          `${url.host}: ${error.code ?? error.message}`
        )
        if (body) {
          body.destroy(failure)
        } else {
          reject(failure)
        }
      })
      handle.end(req.body)
    })
  }

  /** The agent (and, through a proxy, the CA list) an HTTPS request to `host` uses. */
  private tlsOptions(host: string): {
    ca?: string[]
    agent?: HttpsAgent | HttpsProxyAgent<string>
  } {
    const extra = extraCasFor(host, this.cas)
    if (this.proxy && shouldProxy(host, this.proxy)) {
      return {
        ...(extra.length > 0 ? { ca: this.caList(extra) } : {}),
        agent: (this.proxyAgent ??= new HttpsProxyAgent(this.proxy.url))
      }
    }
    if (extra.length === 0) {
      return {}
    }
    const key = extra.join('\n')
    let agent = this.caAgents.get(key)
    if (!agent) {
      // The same pool settings as Node's global agent, with a context that trusts the extra CAs.
      agent = new HttpsAgent({
        keepAlive: true,
        scheduling: 'lifo',
        timeout: 5000,
        secureContext: createSecureContext({ ca: this.caList(extra) })
      })
      this.caAgents.set(key, agent)
    }
    return { agent }
  }

  /** The system roots plus `extra` (Node replaces the default store when `ca` is given). */
  private caList(extra: readonly string[]): string[] {
    const key = extra.join('\n')
    let list = this.caLists.get(key)
    if (!list) {
      list = [...rootCertificates, ...extra]
      this.caLists.set(key, list)
    }
    return list
  }
}
