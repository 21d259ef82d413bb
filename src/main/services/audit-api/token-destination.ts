/**
 * The token destination policy: an access token goes only to a URL under the API base main
 * configured for the profile (the cloud table, or the demo's emulator set up inside main).
 *
 * Pure functions, no I/O. {@link BearerHttp} (bearer-http.ts), the one place that attaches an
 * Authorization header, checks every URL here first, so a URL that arrives in data (a ledger, a
 * snapshot, a `contentUri`, `NextPageUri` or `@odata.nextLink` a service hands back) cannot make
 * main send a token anywhere else. The check is deliberately stricter than URL equivalence: the
 * raw text must begin with the base's origin spelled exactly, so userinfo (`base@evil`), look-alike
 * hosts (`base.evil.example`, IDNs), other ports, scheme downgrades, backslashes and dot segments
 * (plain or percent-encoded) are refused before any parser gets a chance to reinterpret them.
 */

/** Where one API's token may go. */
export interface TokenDestination {
  /** The API, for messages: `the Management Activity API`. */
  api: string
  /** `https://manage.office.com` (scheme, host and port, as `URL.origin` spells them). */
  origin: string
  /** The base's path with a trailing slash: `/` for the clouds, `/manage/` for the emulator. */
  pathPrefix: string
}

/** The result of {@link checkTokenDestination}. */
export type TokenDestinationCheck = { ok: true; url: string } | { ok: false; reason: string }

/** Longest URL accepted (service links are a few hundred characters). */
export const MAX_TOKEN_URL_LENGTH = 8192

/**
 * The destination of a configured API base (`https://manage.office.com`,
 * `https://127.0.0.1:47813/manage`). Throws on a base that is not a plain https URL: that is a
 * configuration error of main, never data.
 */
export function tokenDestination(api: string, base: string): TokenDestination {
  let url: URL
  try {
    url = new URL(base)
  } catch {
    throw new Error(`${api}: the API base ${base} is not a URL`)
  }
  if (
    url.protocol !== 'https:' ||
    url.username !== '' ||
    url.password !== '' ||
    url.search !== '' ||
    url.hash !== ''
  ) {
    throw new Error(`${api}: the API base must be a plain https:// URL`)
  }
  const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`
  return { api, origin: url.origin, pathPrefix: path }
}

/** Whether a URL may carry the token of `destination`, and if not, why (plain words). */
export function checkTokenDestination(
  raw: unknown,
  destination: TokenDestination
): TokenDestinationCheck {
  const refuse = (reason: string): TokenDestinationCheck => ({ ok: false, reason })
  if (typeof raw !== 'string' || raw === '') {
    return refuse('it is not a URL')
  }
  if (raw.length > MAX_TOKEN_URL_LENGTH) {
    return refuse(`it is longer than ${MAX_TOKEN_URL_LENGTH} characters`)
  }
  // Printable ASCII only: no spaces or control characters (a parser would strip them), no IDNs.
  if (/[^\x21-\x7e]/.test(raw)) {
    return refuse('it contains spaces, control characters or non-ASCII characters')
  }
  if (raw.includes('\\')) {
    return refuse('it contains a backslash')
  }
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return refuse('it is not a valid URL')
  }
  const expected = `${destination.origin}/`
  if (url.protocol !== new URL(expected).protocol) {
    return refuse(`it uses ${url.protocol.slice(0, -1)} instead of https`)
  }
  if (url.username !== '' || url.password !== '') {
    return refuse(`it carries a user name or password (its host is really ${url.host})`)
  }
  if (url.origin !== destination.origin) {
    return refuse(`it points to ${url.origin}, not to ${destination.origin}`)
  }
  if (raw.slice(0, expected.length).toLowerCase() !== expected.toLowerCase()) {
    return refuse(`it does not begin with ${expected} spelled exactly`)
  }
  if (url.hash !== '' || raw.includes('#')) {
    return refuse('it carries a fragment')
  }
  const rawPath = raw.slice(destination.origin.length).split('?')[0] ?? ''
  const hasDotSegment = rawPath.split('/').some((segment) => /^(\.|%2e){1,2}$/i.test(segment))
  if (hasDotSegment || /%(2e|2f|5c|00)/i.test(rawPath)) {
    return refuse('its path has dot segments or encoded dots, slashes or backslashes')
  }
  if (!url.pathname.startsWith(destination.pathPrefix)) {
    return refuse(`its path is outside ${destination.pathPrefix}`)
  }
  return { ok: true, url: url.href }
}

/** A URL the policy refused; nothing was sent to it. */
export class TokenDestinationError extends Error {
  /** The ledger code of a refusal. */
  readonly code = 'token-destination-refused'

  constructor(
    readonly destination: TokenDestination,
    readonly reason: string,
    url: unknown
  ) {
    super(
      `Refused to fetch ${describeUrl(url)}: ${reason}. ${capitalize(destination.api)} token is sent only to ${destination.origin}${destination.pathPrefix}; nothing was requested.`
    )
    this.name = 'TokenDestinationError'
  }
}

/** The URL if the policy accepts it (normalized); otherwise throws {@link TokenDestinationError}. */
export function assertTokenDestination(raw: unknown, destination: TokenDestination): string {
  const check = checkTokenDestination(raw, destination)
  if (!check.ok) {
    throw new TokenDestinationError(destination, check.reason, raw)
  }
  return check.url
}

/** A short, printable form of an untrusted URL for messages and the ledger. */
function describeUrl(url: unknown): string {
  if (typeof url !== 'string') {
    return 'a missing URL'
  }
  const printable = url.replace(/[^\x20-\x7e]/g, '?')
  return printable.length > 120 ? `${printable.slice(0, 117)}...` : printable
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
