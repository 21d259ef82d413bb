import { loopbackRequest } from './loopback-network-client'
import type { LoopbackResponse } from './loopback-network-client'

/** The parts of an emulator a raw HTTP test client needs. */
export interface ClientTarget {
  urls: { authorityHost: string; managementApiBase: string; graphBase: string }
  caCertPem: string
  tenantId: string
  clientId: string
  entra: { approveDeviceCode(userCode: string, upn?: string): void }
}

/**
 * Gets a delegated access token over plain HTTP with the device-code grant (devicecode →
 * test approval → token): fast and independent of msal.
 */
export async function userToken(emu: ClientTarget, upn: string, scope: string): Promise<string> {
  const base = `${emu.urls.authorityHost}/${emu.tenantId}/oauth2/v2.0`
  const form = (
    fields: Record<string, string>
  ): { method: string; headers: Record<string, string>; body: string; ca: string } => ({
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    ca: emu.caCertPem
  })
  const dc = JSON.parse(
    (
      await loopbackRequest(
        `${base}/devicecode`,
        form({ client_id: emu.clientId, scope: `${scope} openid profile offline_access` })
      )
    ).text
  ) as { device_code: string; user_code: string }
  emu.entra.approveDeviceCode(dc.user_code, upn)
  const res = await loopbackRequest(
    `${base}/token`,
    form({
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      client_id: emu.clientId,
      device_code: dc.device_code,
      scope
    })
  )
  const body = JSON.parse(res.text) as { access_token?: string }
  if (!body.access_token) {
    throw new Error(`[test] no token: ${res.text}`)
  }
  return body.access_token
}

/** A GET/POST against the emulator with an optional bearer token. */
export function call(
  emu: ClientTarget,
  url: string,
  opts: {
    token?: string
    method?: string
    headers?: Record<string, string>
    body?: string | Uint8Array
  } = {}
): Promise<LoopbackResponse> {
  const headers: Record<string, string> = { ...opts.headers }
  if (opts.token) {
    headers.Authorization = `Bearer ${opts.token}`
  }
  return loopbackRequest(url, {
    method: opts.method ?? 'GET',
    headers,
    body: opts.body,
    ca: emu.caCertPem
  })
}

/** The Management API feed root for the emulator's tenant. */
export function feedRoot(emu: ClientTarget, tenant = emu.tenantId): string {
  return `${emu.urls.managementApiBase}/api/v1.0/${tenant}/activity/feed`
}

/** Finds a header in raw headers case-insensitively, returning [exact name, value]. */
export function rawHeader(res: LoopbackResponse, name: string): [string, string] | undefined {
  for (let i = 0; i < res.rawHeaders.length; i += 2) {
    const key = res.rawHeaders[i]
    const value = res.rawHeaders[i + 1]
    if (key !== undefined && value !== undefined && key.toLowerCase() === name.toLowerCase()) {
      return [key, value]
    }
  }
  return undefined
}
