import { generate } from 'selfsigned'

/** A throwaway test CA and a server certificate it signed for 127.0.0.1 / localhost. */
export interface TestCertificates {
  caCertPem: string
  serverKeyPem: string
  serverCertPem: string
}

let cached: Promise<TestCertificates> | undefined

/**
 * Generates (once per process) a test CA and a server certificate with
 * `subjectAltName = IP:127.0.0.1, DNS:localhost` (reference/auth.md §11 step 1).
 */
export function testCertificates(): Promise<TestCertificates> {
  cached ??= create()
  return cached
}

async function create(): Promise<TestCertificates> {
  const notBeforeDate = new Date(Date.now() - 24 * 3600_000)
  const notAfterDate = new Date(Date.now() + 365 * 24 * 3600_000)
  const ca = await generate(
    [{ name: 'commonName', value: 'Connector Audit Explorer Emulator Test CA' }],
    {
      keySize: 2048,
      algorithm: 'sha256',
      notBeforeDate,
      notAfterDate,
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        {
          name: 'keyUsage',
          keyCertSign: true,
          cRLSign: true,
          digitalSignature: true,
          critical: true
        }
      ]
    }
  )
  const server = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' }
        ]
      }
    ]
  })
  return { caCertPem: ca.cert, serverKeyPem: server.private, serverCertPem: server.cert }
}
