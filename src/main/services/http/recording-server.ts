/**
 * Test support: a loopback HTTPS server that records every request it receives and answers with
 * a fixed status. It stands in for an attacker's host in the token-leak tests: a test points a
 * link at it and then proves no request (and so no Authorization header) ever arrived. It uses the
 * emulator's throwaway test CA, so a client that trusts the emulator would reach it too.
 */
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'

import { testCertificates } from '../../../emulator/certs'

/** One request the server received. */
export interface RecordedRequest {
  method: string
  path: string
  /** The Authorization header, if any arrived. */
  authHeader: string | undefined
}

/** A running recording server. */
export interface RecordingServer {
  /** `https://127.0.0.1:<port>` */
  origin: string
  requests: RecordedRequest[]
  close(): Promise<void>
}

/** Starts a recording server on 127.0.0.1 (a free port) answering every request with `status`. */
export async function startRecordingServer(status = 401): Promise<RecordingServer> {
  const certs = await testCertificates()
  const requests: RecordedRequest[] = []
  const server: Server = createServer(
    { key: certs.serverKeyPem, cert: certs.serverCertPem },
    (req, res) => {
      requests.push({
        method: req.method ?? 'GET',
        path: req.url ?? '',
        authHeader: req.headers.authorization
      })
      req.resume()
      res.writeHead(status, { 'Content-Type': 'application/json' })
      res.end(status === 401 ? '' : '[]')
    }
  )
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    origin: `https://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
