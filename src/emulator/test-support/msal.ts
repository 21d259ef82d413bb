import { ConfidentialClientApplication, LogLevel, PublicClientApplication } from '@azure/msal-node'
import type { Configuration } from '@azure/msal-node'

import { LoopbackNetworkClient } from './loopback-network-client'

/** What a test needs to know about the emulator to build MSAL clients. */
export interface MsalTarget {
  urls: { authorityHost: string }
  caCertPem: string
  tenantId: string
  clientId: string
}

/** MSAL configuration pointed at the fake Entra ID (reference/auth.md §9.1, §11). */
export function msalConfig(
  emu: MsalTarget,
  network: LoopbackNetworkClient,
  extra: Partial<Configuration['auth']> = {}
): Configuration {
  const host = new URL(emu.urls.authorityHost).host
  return {
    auth: {
      clientId: emu.clientId,
      authority: `${emu.urls.authorityHost}/${emu.tenantId}`,
      knownAuthorities: [host],
      ...extra
    },
    system: {
      networkClient: network,
      loggerOptions: { logLevel: LogLevel.Error, piiLoggingEnabled: false }
    }
  }
}

/** A real PublicClientApplication against the emulator, plus its recording network client. */
export function testPca(
  emu: MsalTarget,
  extra: Partial<Configuration['auth']> = {}
): { pca: PublicClientApplication; network: LoopbackNetworkClient } {
  const network = new LoopbackNetworkClient(emu.caCertPem)
  return { pca: new PublicClientApplication(msalConfig(emu, network, extra)), network }
}

/** A real ConfidentialClientApplication against the emulator. */
export function testCca(
  emu: MsalTarget,
  auth: Partial<Configuration['auth']>
): { cca: ConfidentialClientApplication; network: LoopbackNetworkClient } {
  const network = new LoopbackNetworkClient(emu.caCertPem)
  return { cca: new ConfidentialClientApplication(msalConfig(emu, network, auth)), network }
}
