/**
 * The browser shell: a loopback HTTP server that serves the built renderer and implements the
 * same contract as Electron IPC (POST /api/<channel> for calls, server-sent events at
 * /api/events for pushes).
 *
 * It binds 127.0.0.1 only and refuses every request that does not carry the session cookie (traded
 * once for the short-lived link secret, see shell-access.ts), whose Host is not ours (DNS
 * rebinding) or whose Origin is foreign (cross-site requests).
 */
import { randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname } from 'node:path'

import { CONTENT_SECURITY_POLICY } from '../../shared/csp'
import type { ErrorCode, Result } from '../../shared/errors'
import {
  AUDIT_FILE_UPLOAD_PATH,
  EVENT_BYTES_KEY,
  EVENT_BYTES_PATH,
  SNAPSHOT_UPLOAD_PATH
} from '../../shared/ipc/contract'
import { resolveStaticFile } from '../platform/security'
import type { Dispatcher } from '../rpc/dispatch'
import type { EventBus } from '../rpc/event-bus'
import type { Logger } from '../services/logging/logger'

import { exchangedPage, refusedLinkPage, ShellAccess } from './shell-access'
import {
  createSnapshotUploadHandler,
  UploadRefusal,
  type SnapshotUploadSink
} from './snapshot-upload'

/** Largest request body accepted, in bytes: a sync start carries the tenant's ledger (tens of MB at most). */
export const DEFAULT_BODY_LIMIT = 32 * 1024 * 1024

const SSE_HEARTBEAT_MS = 25_000
/** How long the bytes of an event wait for the page to fetch them. */
const EVENT_BYTES_TTL_MS = 10 * 60_000

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8'
}

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin'
}

export interface WebShellOptions {
  dispatch: Dispatcher
  bus: EventBus
  /** Folder holding the built renderer (index.html and assets). */
  rendererDir: string
  log: Logger
  /** 0 picks a free port. */
  port: number
  /** Fixed link secret for tests; a random 256-bit one otherwise. */
  secret?: string
  /** How long the printed link can be traded for a session (default 60 s). */
  linkTtlMs?: number
  /** Clock for the link's expiry (tests). */
  now?: () => number
  /** Called once, when the link has been traded for a session. */
  onLinkUsed?: () => void
  bodyLimit?: number
  /** Receives snapshot uploads (POST {@link SNAPSHOT_UPLOAD_PATH}); without it the route is 404. */
  snapshots?: SnapshotUploadSink
  /**
   * How long a request body may go silent before the connection is closed (default 30 s). Only
   * silence counts: an upload of gigabytes may take as long as it keeps sending.
   */
  bodyIdleMs?: number
  /** Largest snapshot upload in bytes (default: the snapshot file-size limit). */
  uploadLimit?: number
}

export interface WebShell {
  /** The one-time URL to open, carrying the link secret: `http://127.0.0.1:<port>/?secret=...`. */
  openUrl: string
  /** When `openUrl` stops working (ms since the epoch). */
  linkExpiresAt: number
  /** `http://127.0.0.1:<port>` */
  origin: string
  port: number
  /** The name of the session cookie (it includes the port: cookies are not isolated by port). */
  cookieName: string
  close(): Promise<void>
}

class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string
  ) {
    super(message)
  }
}

function sendJson(res: ServerResponse, status: number, body: Result<unknown>): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(text)
  })
  res.end(text)
}

function sendRefusal(res: ServerResponse, refusal: HttpRefusal, closeConnection = false): void {
  if (closeConnection) {
    res.setHeader('Connection', 'close')
  }
  sendJson(res, refusal.status, {
    ok: false,
    error: { code: refusal.code, message: refusal.message }
  })
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? '0')
  if (Number.isFinite(declared) && declared > limit) {
    throw new HttpRefusal(413, 'web/payload-too-large', `Request body over ${limit} bytes`)
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > limit) {
      throw new HttpRefusal(413, 'web/payload-too-large', `Request body over ${limit} bytes`)
    }
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

function statusForResult(result: Result<unknown>): number {
  if (result.ok) {
    return 200
  }
  switch (result.error.code) {
    case 'ipc/invalid-input':
      return 400
    case 'ipc/unknown-channel':
      return 404
    case 'ipc/internal':
      return 500
    default:
      return 200
  }
}

/** Starts the browser shell on 127.0.0.1. */
export async function startWebShell(options: WebShellOptions): Promise<WebShell> {
  const { dispatch, bus, rendererDir, log } = options
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT
  const bodyIdleMs = options.bodyIdleMs ?? 30_000
  const streams = new Set<ServerResponse>()
  const eventBytes = new Map<
    string,
    { bytes: Uint8Array; timer: NodeJS.Timeout; owner: Set<string> }
  >()
  let port = 0
  // Set once the port is known (the cookie name includes it); no request arrives before that.
  let access: ShellAccess | undefined = undefined
  let allowedHosts = new Set<string>()
  let allowedOrigins = new Set<string>()

  /** A page load carrying the printed link: `GET /?secret=…` (never an API path). */
  function isLinkRequest(req: IncomingMessage, url: URL): boolean {
    return (
      req.method === 'GET' && !url.pathname.startsWith('/api/') && url.searchParams.has('secret')
    )
  }

  function checkRequest(req: IncomingMessage, url: URL): void {
    // DNS rebinding: a hostile name resolving to 127.0.0.1 still sends its own Host.
    if (!allowedHosts.has(req.headers.host ?? '')) {
      throw new HttpRefusal(421, 'web/bad-host', 'Host not allowed')
    }
    const origin = req.headers.origin
    if (origin !== undefined && !allowedOrigins.has(origin)) {
      throw new HttpRefusal(403, 'web/bad-origin', 'Cross-origin request refused')
    }
    // The link itself may arrive from another site: the local redirect file (open-browser.ts) is
    // a file:// page. It only ever yields a cookie to whoever holds the one-time secret.
    const site = req.headers['sec-fetch-site']
    if (
      site !== undefined &&
      site !== 'same-origin' &&
      site !== 'none' &&
      !isLinkRequest(req, url)
    ) {
      throw new HttpRefusal(403, 'web/bad-origin', 'Cross-site request refused')
    }
    if (!access?.hasSession(req.headers.cookie) && !isLinkRequest(req, url)) {
      throw new HttpRefusal(
        401,
        'web/unauthorized',
        'Not signed in to this browser shell: open the link printed at start-up'
      )
    }
  }

  function sendPage(res: ServerResponse, status: number, html: string, setCookie?: string): void {
    res.writeHead(status, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Length': Buffer.byteLength(html),
      ...(setCookie ? { 'Set-Cookie': setCookie } : {})
    })
    res.end(html)
  }

  /** Trades the one-time link for the session cookie, or says why the link no longer works. */
  function handleLink(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const gate = access as ShellAccess
    if (gate.hasSession(req.headers.cookie)) {
      // The browser that already traded the link opened it again: nothing to trade.
      res.writeHead(303, { ...SECURITY_HEADERS, Location: '/', 'Cache-Control': 'no-store' })
      res.end()
      return
    }
    const outcome = gate.exchange(url.searchParams.get('secret'))
    if (outcome.kind === 'exchanged') {
      log.info('[web] the start-up link was used; it is refused from now on')
      sendPage(res, 200, exchangedPage(), outcome.setCookie)
      options.onLinkUsed?.()
      return
    }
    log.warn(`[web] refused the start-up link: ${outcome.reason}`)
    sendPage(
      res,
      outcome.reason === 'wrong' ? 401 : 410,
      refusedLinkPage(outcome.reason, gate.linkTtlMs)
    )
  }

  async function handleCall(
    req: IncomingMessage,
    res: ServerResponse,
    channel: string
  ): Promise<void> {
    if (req.method !== 'POST') {
      throw new HttpRefusal(405, 'web/method-not-allowed', 'Calls are POST requests')
    }
    // Browsers always send Origin on POST; its absence means a non-browser client or a stripped request.
    if (req.headers.origin === undefined) {
      throw new HttpRefusal(403, 'web/bad-origin', 'Calls must carry an Origin header')
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase()
    if (type !== 'application/json') {
      throw new HttpRefusal(415, 'web/unsupported-media-type', 'Calls must be application/json')
    }
    const body = await readBody(req, bodyLimit)
    let input: unknown
    try {
      input = body === '' ? {} : (JSON.parse(body) as unknown)
    } catch {
      throw new HttpRefusal(400, 'ipc/invalid-input', 'The request body is not valid JSON')
    }
    const result = await dispatch(channel, input)
    sendJson(res, statusForResult(result), result)
  }

  const upload = options.snapshots
    ? createSnapshotUploadHandler({
        sink: options.snapshots,
        log,
        ...(options.uploadLimit !== undefined ? { maxBytes: options.uploadLimit } : {})
      })
    : null

  async function handleUpload(
    req: IncomingMessage,
    res: ServerResponse,
    kind: 'snapshot' | 'audit-file'
  ): Promise<void> {
    if (!upload) {
      throw new HttpRefusal(404, 'web/not-found', 'Not found')
    }
    try {
      const result = await upload(req, res, kind)
      if (!result.ok) {
        // The rest of a refused upload is not read: do not reuse the connection.
        res.setHeader('Connection', 'close')
      }
      sendJson(res, 200, result)
    } catch (error) {
      throw error instanceof UploadRefusal
        ? new HttpRefusal(error.status, error.code, error.message)
        : error
    }
  }

  function handleEvents(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET') {
      throw new HttpRefusal(405, 'web/method-not-allowed', 'Events are read with GET')
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive'
    })
    res.write('retry: 2000\n\n')
    streams.add(res)
    const mine = new Set<string>()
    // Byte arrays stay here until the page fetches them (see EVENT_BYTES_PATH).
    const keep = (bytes: Uint8Array): string => {
      const id = randomUUID()
      const timer = setTimeout(() => {
        eventBytes.delete(id)
        mine.delete(id)
      }, EVENT_BYTES_TTL_MS)
      timer.unref()
      eventBytes.set(id, { bytes, timer, owner: mine })
      mine.add(id)
      return id
    }
    const unsubscribe = bus.subscribe((event, payload) => {
      const data = JSON.stringify(payload, (_key, value: unknown) =>
        value instanceof Uint8Array ? { [EVENT_BYTES_KEY]: keep(value) } : value
      )
      res.write(`event: ${event}\ndata: ${data}\n\n`)
    })
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), SSE_HEARTBEAT_MS)
    res.on('close', () => {
      clearInterval(heartbeat)
      unsubscribe()
      streams.delete(res)
      for (const id of mine) {
        clearTimeout(eventBytes.get(id)?.timer)
        eventBytes.delete(id)
      }
    })
  }

  /** The bytes of an event, once (see EVENT_BYTES_PATH). */
  function handleEventBytes(req: IncomingMessage, res: ServerResponse, id: string): void {
    if (req.method !== 'GET') {
      throw new HttpRefusal(405, 'web/method-not-allowed', 'Event bytes are read with GET')
    }
    const kept = eventBytes.get(id)
    if (!kept) {
      throw new HttpRefusal(
        404,
        'web/not-found',
        'No such event bytes (already fetched or expired)'
      )
    }
    eventBytes.delete(id)
    kept.owner.delete(id)
    clearTimeout(kept.timer)
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'application/octet-stream',
      'Content-Length': kept.bytes.byteLength,
      'Cache-Control': 'no-store'
    })
    res.end(kept.bytes)
  }

  async function handleStatic(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      throw new HttpRefusal(405, 'web/method-not-allowed', 'Only GET')
    }
    const file = resolveStaticFile(url.pathname, rendererDir)
    if (!file) {
      throw new HttpRefusal(404, 'web/not-found', 'Not found')
    }
    let content: Buffer
    try {
      content = await readFile(file)
    } catch {
      throw new HttpRefusal(404, 'web/not-found', 'Not found')
    }
    const isHtml = extname(file) === '.html'
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': content.length,
      'Cache-Control': isHtml ? 'no-store' : 'private, max-age=3600'
    })
    res.end(req.method === 'HEAD' ? undefined : content)
  }

  const server = createServer((req, res) => {
    let url: URL
    try {
      url = new URL(req.url ?? '/', 'http://127.0.0.1')
    } catch {
      sendRefusal(res, new HttpRefusal(400, 'ipc/invalid-input', 'Bad request URL'), true)
      return
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      // A body must keep arriving: silence ends the connection (the server's 'timeout' default),
      // its total time does not, so uploads have no cap beyond disk; once read, the answer may
      // take as long as it needs (an interactive sign-in waits minutes).
      req.socket.setTimeout(bodyIdleMs)
      req.once('end', () => req.socket.setTimeout(0))
    }
    const run = async (): Promise<void> => {
      checkRequest(req, url)
      if (isLinkRequest(req, url)) {
        handleLink(req, res, url)
      } else if (url.pathname === SNAPSHOT_UPLOAD_PATH) {
        await handleUpload(req, res, 'snapshot')
      } else if (url.pathname === AUDIT_FILE_UPLOAD_PATH) {
        await handleUpload(req, res, 'audit-file')
      } else if (url.pathname === '/api/events') {
        handleEvents(req, res)
      } else if (url.pathname.startsWith(EVENT_BYTES_PATH)) {
        handleEventBytes(req, res, url.pathname.slice(EVENT_BYTES_PATH.length))
      } else if (url.pathname.startsWith('/api/')) {
        await handleCall(req, res, decodeURIComponent(url.pathname.slice('/api/'.length)))
      } else {
        await handleStatic(req, res, url)
      }
    }
    run().catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy()
        return
      }
      if (error instanceof HttpRefusal) {
        log.warn(`[web] refused ${req.method} ${url.pathname}: ${error.code}`)
        // After a refusal mid-body the rest of the upload is not read: close the connection.
        sendRefusal(res, error, error.status === 413 || req.method === 'POST')
        return
      }
      log.error(
        `[web] ${req.method} ${url.pathname} failed: ${error instanceof Error ? error.name : 'unknown'}`
      )
      sendRefusal(res, new HttpRefusal(500, 'ipc/internal', 'Internal error'), true)
    })
  })
  // Headers must arrive within 10 s (slow-loris); bodies are bounded by silence (bodyIdleMs) and
  // size, not by a total time, which would cut a large upload short.
  server.headersTimeout = 10_000
  server.requestTimeout = 0

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  port = (server.address() as AddressInfo).port
  access = new ShellAccess({
    cookieName: `cax-session-${port}`,
    ...(options.secret !== undefined ? { linkSecret: options.secret } : {}),
    ...(options.linkTtlMs !== undefined ? { linkTtlMs: options.linkTtlMs } : {}),
    ...(options.now ? { now: options.now } : {})
  })
  allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`])
  allowedOrigins = new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`])
  const origin = `http://127.0.0.1:${port}`
  log.info(`[web] listening on ${origin}`)

  return {
    openUrl: `${origin}/?secret=${access.linkSecret}`,
    linkExpiresAt: access.linkExpiresAt,
    origin,
    port,
    cookieName: access.cookieName,
    close: async () => {
      for (const stream of streams) {
        stream.end()
      }
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}
