import { createHash } from 'node:crypto'

import type { Sha256, Sha256Factory } from '../../../shared/snapshot'

/** The snapshot format's SHA-256 port, on Node's crypto. */
export const nodeSha256: Sha256Factory = (): Sha256 => {
  const hash = createHash('sha256')
  return {
    update: (bytes) => {
      hash.update(bytes)
    },
    digestHex: () => hash.digest('hex')
  }
}
