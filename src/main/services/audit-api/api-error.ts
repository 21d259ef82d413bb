/**
 * Errors of the Management Activity API and Graph, with their codes read from whatever body came
 * back: `{"error":{"code":"AF…","message":"…"}}`, the gateway's `{"Message":"…"}`, or HTML from a
 * proxy (management-api.md §2.10).
 */

/** An HTTP error answer from an audit API. */
export class AuditApiError extends Error {
  constructor(
    /** HTTP status. */
    readonly status: number,
    /** `AF20023`, `AF429`, Graph's `Forbidden`, or `HTTP_<status>` when the body had none. */
    readonly code: string,
    message: string,
    /** Seconds from a Retry-After header, when present. */
    readonly retryAfterSeconds?: number
  ) {
    super(message)
    this.name = 'AuditApiError'
  }
}

const MAX_MESSAGE = 300

/** Reads the error code and message from an error response body. Never throws. */
export function parseApiError(status: number, text: string, retryAfter?: string): AuditApiError {
  let code = `HTTP_${status}`
  let message = text.replace(/\s+/g, ' ').trim().slice(0, MAX_MESSAGE) || `HTTP ${status}`
  try {
    const body = JSON.parse(text) as {
      error?: { code?: unknown; message?: unknown }
      Message?: unknown
    }
    if (body.error && typeof body.error.code === 'string') {
      code = body.error.code
      message = typeof body.error.message === 'string' ? body.error.message : code
    } else if (typeof body.Message === 'string') {
      message = body.Message
    }
  } catch {
    // Not JSON (a gateway's HTML page): keep the truncated text.
  }
  const seconds =
    retryAfter !== undefined && /^\d+$/.test(retryAfter.trim()) ? Number(retryAfter) : undefined
  return new AuditApiError(status, code, message.slice(0, MAX_MESSAGE), seconds)
}

/** What a client should do about an error (management-api.md §2.10, §7 items 9–10). */
export type ErrorAction =
  /** AF429 (403 or 429) or Graph 429: wait (Retry-After when given) and retry. */
  | 'throttled'
  /** 5xx, 408, AF5000x, a non-JSON or truncated body: retry with back-off. */
  | 'transient'
  /** AF20051: the content is older than 7 days; record a gap. */
  | 'expired'
  /** A setting or permission is wrong; retrying cannot help. */
  | 'config'
  /** Something else about this one item (AF20050, AF20052…): give up on the item. */
  | 'item'

const CONFIG_CODES = new Set([
  'AF10001',
  'AF20010',
  'AF20011',
  'AF20012',
  'AF20013',
  'AF20020',
  'AF20021',
  'AF20022',
  'AF20023',
  'HTTP_401',
  'Forbidden',
  'Authorization_RequestDenied'
])

/** Classifies an API error by its code first, its status second (checklist item 9). */
export function errorAction(error: AuditApiError): ErrorAction {
  if (error.code === 'AF429' || error.status === 429) {
    return 'throttled'
  }
  if (error.code === 'AF20051') {
    return 'expired'
  }
  if (error.code === 'malformed-body' || /^AF5\d{4}$/.test(error.code)) {
    return 'transient'
  }
  if (error.status >= 500 || error.status === 408) {
    return 'transient'
  }
  if (CONFIG_CODES.has(error.code) || error.status === 401 || error.status === 403) {
    return 'config'
  }
  return 'item'
}

/** A readable explanation for the configuration errors (shown to the user as is). */
export function explainApiError(error: AuditApiError): string {
  switch (error.code) {
    case 'AF20023':
      return (
        'The Audit.General subscription is disabled (AF20023): an admin stopped it, or it was ' +
        'restarted less than 15 minutes ago. Content created while it was stopped can never be ' +
        'retrieved. Start it again (the next pull does so) and retry in 15 minutes.'
      )
    case 'AF20022':
      return 'No subscription exists for this content type (AF20022); the pull starts one.'
    case 'AF10001':
      return `The token lacks the ActivityFeed.Read permission (AF10001): grant it and have an admin consent. (${error.message})`
    case 'AF20010':
      return 'The tenant in the URL differs from the tenant of the token (AF20010): sign in to the same tenant you pull.'
    case 'AF20011':
    case 'AF20012':
      return `The tenant is unknown or unified audit logging is off (${error.code}): ${error.message}`
    case 'AF20013':
      return 'The tenant id is not a GUID (AF20013).'
    case 'AF20020':
      return `The content type is not valid (AF20020): ${error.message}`
    case 'HTTP_401':
      return `The API refused the token (401): ${error.message}`
    default:
      return `${error.code}: ${error.message}`
  }
}
