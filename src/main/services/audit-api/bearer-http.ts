/**
 * The one place where an Authorization header is attached to a request. Every call checks the
 * URL against the API's {@link TokenDestination} before it asks for a token, first attempts and
 * the refresh after a 401 alike, so no caller can send a token elsewhere. Redirects are never
 * followed (the HTTP client has no redirect handling), so a server cannot forward one either.
 */
import type {
  HttpRequest,
  HttpResponse,
  HttpStreamResponse,
  HttpsClient
} from '../http/https-client'

import { assertTokenDestination, type TokenDestination } from './token-destination'

/** A request without its Authorization header (it is added here). */
export type BearerRequest = Omit<HttpRequest, 'timeoutMs'>

export interface BearerHttpOptions {
  http: HttpsClient
  /** Where this API's token may go (built by main from the profile's configured base). */
  destination: TokenDestination
  /** An access token for the API; `forceRefresh` after the API refused the last one. */
  token: (forceRefresh: boolean) => Promise<string>
  /** Per-request time-out in ms (default: the client's). */
  timeoutMs?: number
}

/** Sends requests with a bearer token, only to the API's configured base. */
export class BearerHttp {
  constructor(private readonly options: BearerHttpOptions) {}

  /** The destination every request is checked against. */
  get destination(): TokenDestination {
    return this.options.destination
  }

  /** Sends one request and reads the whole body. Throws `TokenDestinationError` before sending. */
  async send(req: BearerRequest, forceRefresh: boolean): Promise<HttpResponse> {
    return this.options.http.send(await this.authorize(req, forceRefresh))
  }

  /** Sends one request and resolves with the body as a stream. Same check as {@link send}. */
  async stream(req: BearerRequest, forceRefresh: boolean): Promise<HttpStreamResponse> {
    return this.options.http.stream(await this.authorize(req, forceRefresh))
  }

  private async authorize(req: BearerRequest, forceRefresh: boolean): Promise<HttpRequest> {
    // The policy first: a refused URL never gets a token, not even a fresh one after a 401.
    const url = assertTokenDestination(req.url, this.options.destination)
    const token = await this.options.token(forceRefresh)
    return {
      ...req,
      url,
      headers: { ...req.headers, Authorization: `Bearer ${token}` },
      ...(this.options.timeoutMs ? { timeoutMs: this.options.timeoutMs } : {})
    }
  }
}
