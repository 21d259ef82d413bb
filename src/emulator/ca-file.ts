import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Where the emulator's CA certificate was written, and how to remove it again. */
export interface CaFile {
  path: string
  /** Removes the file (and the private folder it was put in); safe to call more than once. */
  dispose(): void
}

/**
 * Writes the emulator's throwaway CA certificate for clients to trust (`cax pull --ca-file`).
 *
 * Without a path it goes into a fresh private folder (mkdtemp: 0700, unpredictable name) rather
 * than a fixed name under /tmp, where another local user could plant the file first (a symlink
 * or their own CA) and so choose what the client trusts. The file itself is 0600.
 */
export function writeCaFileSync(caCertPem: string, requested?: string, parent = tmpdir()): CaFile {
  if (requested !== undefined) {
    writeFileSync(requested, caCertPem, { mode: 0o600 })
    return { path: requested, dispose: () => undefined }
  }
  const dir = mkdtempSync(join(parent, 'cax-emulator-'))
  const path = join(dir, 'ca.pem')
  writeFileSync(path, caCertPem, { mode: 0o600, flag: 'wx' })
  return { path, dispose: () => rmSync(dir, { recursive: true, force: true }) }
}
