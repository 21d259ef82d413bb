/**
 * MSAL's network module over our {@link HttpsClient}: it trusts the same extra CA, obeys the same
 * host allow-list, and reports unreachable endpoints as {@link NetworkError} so the UI can say
 * "network" rather than MSAL's misleading `endpoints_resolution_error` (reference/auth.md §5).
 */
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node'

import type { HttpsClient } from '../http/https-client'

/** An msal-node `INetworkModule` backed by {@link HttpsClient}. */
export class MsalNetworkClient implements INetworkModule {
  constructor(private readonly http: HttpsClient) {}

  sendGetRequestAsync<T>(
    url: string,
    options?: NetworkRequestOptions,
    timeout?: number
  ): Promise<NetworkResponse<T>> {
    return this.send<T>('GET', url, options, timeout)
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
    options: NetworkRequestOptions | undefined,
    timeout?: number
  ): Promise<NetworkResponse<T>> {
    const res = await this.http.send({
      method,
      url,
      headers: options?.headers ?? {},
      body: options?.body,
      timeoutMs: timeout
    })
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(res.headers)) {
      if (typeof value === 'string') {
        headers[name] = value
      } else if (Array.isArray(value)) {
        headers[name] = value.join(', ')
      }
    }
    let body: T
    try {
      body = JSON.parse(res.text) as T
    } catch {
      // MSAL reads error fields from the body; give it an object that says what happened.
      body = { error: 'invalid_response', error_description: `HTTP ${res.status}, not JSON` } as T
    }
    return { status: res.status, headers, body }
  }
}
