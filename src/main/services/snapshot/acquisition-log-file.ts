import { appendFile, readFile } from 'node:fs/promises'
import { join } from 'node:path'

import { checkLogChain, encodeLogEntry, nextLogEntry } from '../../../shared/snapshot'
import type { AcquisitionLogEntry, AcquisitionLogInput } from '../../../shared/snapshot'

import { nodeSha256 } from './node-sha256'

/** The acquisition log's file name inside a store folder. */
export const ACQUISITION_LOG_FILE = 'cax-acquisition-log.ndjson'

/**
 * Reads a store folder's acquisition log (empty when there is none). Throws when the chain is
 * broken, naming the line: a store whose custody record was edited must not be snapshotted as if
 * it were intact.
 */
export async function readAcquisitionLog(storeDir: string): Promise<AcquisitionLogEntry[]> {
  const path = join(storeDir, ACQUISITION_LOG_FILE)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return []
    }
    throw err
  }
  const chain = checkLogChain(text, nodeSha256)
  if (chain.problems.length > 0) {
    throw new Error(
      `${path}: the acquisition log is broken: ${chain.problems.map((p) => p.message).join('; ')}`
    )
  }
  return chain.entries
}

/** Appends one entry to a store folder's acquisition log (append-only) and returns it. */
export async function appendAcquisitionLog(
  storeDir: string,
  input: AcquisitionLogInput
): Promise<AcquisitionLogEntry> {
  const chain = await readAcquisitionLog(storeDir)
  const entry = nextLogEntry(chain, input, nodeSha256)
  await appendFile(join(storeDir, ACQUISITION_LOG_FILE), `${encodeLogEntry(entry)}\n`, 'utf8')
  return entry
}
