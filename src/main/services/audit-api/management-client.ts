/**
 * The Office 365 Management Activity API, as far as sign-in checks need it: listing
 * subscriptions. Every call carries PublisherIdentifier (management-api.md §2.3, §2.11).
 */
import type { HttpsClient, HttpResponse } from '../http/https-client'

import { parseApiError } from './api-error'

/** One subscription as the API lists it. */
export interface Subscription {
  contentType: string
  status: string
}

export interface ManagementClientOptions {
  http: HttpsClient
  /** `https://manage.office.com` or an override (emulator). */
  apiBase: string
  tenantId: string
  publisherIdentifier: string
  /** Returns a fresh access token for the Management API. */
  token: () => Promise<string>
}

/** A client for one tenant's activity feed. */
export class ManagementClient {
  constructor(private readonly options: ManagementClientOptions) {}

  /** `{apiBase}/api/v1.0/{tenant}/activity/feed` */
  get root(): string {
    return `${this.options.apiBase}/api/v1.0/${encodeURIComponent(this.options.tenantId)}/activity/feed`
  }

  /** Lists the tenant's subscriptions; the `Date` header of the answer is returned for clock checks. */
  async listSubscriptions(): Promise<{ subscriptions: Subscription[]; serverDate: Date | null }> {
    const res = await this.get(`${this.root}/subscriptions/list`)
    const body = JSON.parse(res.text) as unknown
    const subscriptions = Array.isArray(body)
      ? body.filter(
          (s): s is Subscription =>
            typeof s === 'object' &&
            s !== null &&
            typeof (s as Subscription).contentType === 'string'
        )
      : []
    return { subscriptions, serverDate: serverDate(res) }
  }

  private async get(url: string): Promise<HttpResponse> {
    const target = new URL(url)
    target.searchParams.set('PublisherIdentifier', this.options.publisherIdentifier)
    const res = await this.options.http.send({
      url: target.href,
      headers: { Authorization: `Bearer ${await this.options.token()}`, Accept: 'application/json' }
    })
    if (res.status < 200 || res.status >= 300) {
      throw parseApiError(res.status, res.text, headerValue(res, 'retry-after'))
    }
    return res
  }
}

function headerValue(res: HttpResponse, name: string): string | undefined {
  const value = res.headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** The server's clock from a response's Date header. */
export function serverDate(res: HttpResponse): Date | null {
  const value = headerValue(res, 'date')
  const date = value ? new Date(value) : null
  return date && !Number.isNaN(date.getTime()) ? date : null
}
