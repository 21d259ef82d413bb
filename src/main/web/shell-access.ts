/**
 * Who may use the browser shell: a one-time, short-lived link secret traded for a session cookie.
 *
 * The printed link (`/?secret=…`) works once, within {@link DEFAULT_LINK_TTL_MS} of start-up. The
 * first browser that opens it gets a separate random session cookie (HttpOnly, SameSite=Strict,
 * Path=/) and every later request is judged by that cookie alone. A second use of the link, or a
 * use after it expired, gets a page that says so: a link copied from a terminal, a shell history or
 * a browser history is worth nothing once the user's own browser has opened it.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'

/** How long the printed link can be traded for a session, in ms. */
export const DEFAULT_LINK_TTL_MS = 60_000

/** Why a link was refused. */
export type LinkRefusal = 'wrong' | 'used' | 'expired'

/** The answer to a request that carries a link secret. */
export type LinkOutcome =
  { kind: 'exchanged'; setCookie: string } | { kind: 'refused'; reason: LinkRefusal }

export interface ShellAccessOptions {
  /** The cookie's name (it includes the port: browsers do not isolate cookies by port). */
  cookieName: string
  /** Fixed link secret for tests; a random 256-bit one otherwise. */
  linkSecret?: string
  linkTtlMs?: number
  /** Milliseconds since the epoch; injectable so expiry is tested without waiting. */
  now?: () => number
}

function sameSecret(given: string | null | undefined, expected: Buffer): boolean {
  if (!given) {
    return false
  }
  const candidate = Buffer.from(given, 'utf8')
  return candidate.length === expected.length && timingSafeEqual(candidate, expected)
}

/** The value of cookie `name` in a Cookie header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const index = part.indexOf('=')
    if (index > 0 && part.slice(0, index).trim() === name) {
      return part.slice(index + 1).trim()
    }
  }
  return undefined
}

/** The link secret, its one use and the session it was traded for. */
export class ShellAccess {
  /** The secret to put in the printed link. */
  readonly linkSecret: string
  /** When the link stops working (ms since the epoch). */
  readonly linkExpiresAt: number
  private readonly link: Buffer
  private readonly session: Buffer
  private isLinkUsed = false
  private readonly now: () => number

  constructor(private readonly options: ShellAccessOptions) {
    this.now = options.now ?? Date.now
    this.linkSecret = options.linkSecret ?? randomBytes(32).toString('base64url')
    this.link = Buffer.from(this.linkSecret, 'utf8')
    this.linkExpiresAt = this.now() + (options.linkTtlMs ?? DEFAULT_LINK_TTL_MS)
    // Separate from the link: what appeared in a URL or on a screen never authorizes a call.
    this.session = Buffer.from(randomBytes(32).toString('base64url'), 'utf8')
  }

  get cookieName(): string {
    return this.options.cookieName
  }

  /** How long the link works after start-up, in ms. */
  get linkTtlMs(): number {
    return this.options.linkTtlMs ?? DEFAULT_LINK_TTL_MS
  }

  /** True when the Cookie header carries the session this shell handed out. */
  hasSession(cookieHeader: string | undefined): boolean {
    return this.isLinkUsed && sameSecret(readCookie(cookieHeader, this.cookieName), this.session)
  }

  /**
   * Trades the link secret for the session cookie, once. Any later use, a use after expiry and a
   * wrong secret are refused (the reason is only for the page shown to the user).
   */
  exchange(given: string | null): LinkOutcome {
    if (!sameSecret(given, this.link)) {
      return { kind: 'refused', reason: 'wrong' }
    }
    if (this.isLinkUsed) {
      return { kind: 'refused', reason: 'used' }
    }
    if (this.now() >= this.linkExpiresAt) {
      return { kind: 'refused', reason: 'expired' }
    }
    this.isLinkUsed = true
    return {
      kind: 'exchanged',
      setCookie: `${this.cookieName}=${this.session.toString('utf8')}; HttpOnly; SameSite=Strict; Path=/`
    }
  }
}

const PAGE_STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem}'

function page(title: string, body: string, head = ''): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8">${head}` +
    `<title>${title}</title><style>${PAGE_STYLE}</style></head><body>${body}</body></html>`
  )
}

/**
 * The page that answers a successful trade. A page rather than an HTTP redirect: when the link is
 * opened from the local redirect file the navigation is cross-site, and a browser sends neither a
 * SameSite=Strict cookie nor a same-origin Sec-Fetch-Site along an HTTP redirect of it. The meta
 * refresh is a new navigation started by our own page, so the cookie goes with it. The target is
 * always `/`: a path from the request would be an open redirect (`//evil.example`).
 */
export function exchangedPage(): string {
  return page(
    'Connector Audit Explorer',
    '<p>Opening Connector Audit Explorer… <a href="/">Continue</a></p>',
    '<meta http-equiv="refresh" content="0;url=/">'
  )
}

/** The page shown for a link that cannot be used (any more). */
export function refusedLinkPage(reason: LinkRefusal, linkTtlMs = DEFAULT_LINK_TTL_MS): string {
  const restart =
    'Keep using the browser tab that opened it, or stop the browser shell and start it again ' +
    '(<code>npm run start:web</code>) for a new link.'
  switch (reason) {
    case 'used':
      return page(
        'Link already used',
        `<h1>This link was already used</h1><p>Each link of the browser shell opens it once, ` +
          `in one browser. ${restart}</p>`
      )
    case 'expired':
      return page(
        'Link expired',
        `<h1>This link has expired</h1><p>A link of the browser shell works for ` +
          `${Math.round(linkTtlMs / 1000)} seconds after start-up. ${restart}</p>`
      )
    case 'wrong':
      return page(
        'Wrong link',
        '<h1>This link is not valid</h1><p>Open the link the browser shell printed at start-up.</p>'
      )
  }
}
