/**
 * What a file the OS asked us to open is (a double-click, "Open with", a second launch's
 * command line, macOS `open-file`): a snapshot goes to the snapshot import, an audit export
 * (Purview / Search-UnifiedAuditLog CSV, JSON, NDJSON) to the audit-file import. Decided by the
 * file's first bytes — a snapshot is a zip whose first entry is a snapshot part; an audit export
 * is what the importer's own detection recognises — and only then by its extension, so a
 * renamed file still lands in the right place. Anything else is not ours and is ignored (the
 * app's own script in a development launch, a folder, a picture).
 */
import { open, stat } from 'node:fs/promises'
import { extname } from 'node:path'

import {
  HASHED_PARTS,
  SNAPSHOT_EXTENSION,
  SNAPSHOT_PARTS
} from '../../../shared/snapshot/snapshot-format'

import { detectEncoding, detectFormat, SNIFF_BYTES } from '../import/detect-format'

/** Where an opened file goes. */
export type OpenedFileKind = 'snapshot' | 'audit-file'

/** Extensions audit exports come with: such a file goes to the import even when unreadable. */
export const AUDIT_FILE_EXTENSIONS: readonly string[] = ['.csv', '.json', '.ndjson', '.jsonl']

const SNAPSHOT_ENTRY_NAMES = new Set<string>([...HASHED_PARTS, SNAPSHOT_PARTS.manifest])

/**
 * The kind of the regular file at `path` from its first {@link SNIFF_BYTES} bytes (at most that
 * many are read), or null when it is neither a snapshot nor an audit export, or not a file.
 */
export async function openedFileKind(path: string): Promise<OpenedFileKind | null> {
  const info = await stat(path).catch(() => null)
  if (!info?.isFile()) {
    return null
  }
  let head: Uint8Array
  try {
    const handle = await open(path, 'r')
    try {
      const buffer = Buffer.alloc(Math.min(SNIFF_BYTES, info.size))
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
      head = buffer.subarray(0, bytesRead)
    } finally {
      await handle.close()
    }
  } catch {
    return null
  }
  return kindOfHead(head, path, info.size > head.length)
}

/** {@link openedFileKind} of bytes already read (`isCut`: the file goes on past them). */
export function kindOfHead(head: Uint8Array, name: string, isCut: boolean): OpenedFileKind | null {
  const extension = extname(name).toLowerCase()
  if (isSnapshotZip(head)) {
    return 'snapshot'
  }
  if (isAuditExport(head, isCut)) {
    return 'audit-file'
  }
  // Not recognisable by content: the extension says which import explains what is wrong.
  if (extension === SNAPSHOT_EXTENSION) {
    return 'snapshot'
  }
  return AUDIT_FILE_EXTENSIONS.includes(extension) ? 'audit-file' : null
}

/** A zip (local file header `PK\x03\x04`) whose first entry is named like a snapshot part. */
function isSnapshotZip(head: Uint8Array): boolean {
  if (head.length < 30 || head[0] !== 0x50 || head[1] !== 0x4b || head[2] !== 3 || head[3] !== 4) {
    return false
  }
  const nameLength = (head[26] ?? 0) | ((head[27] ?? 0) << 8)
  if (30 + nameLength > head.length) {
    return false
  }
  const name = Buffer.from(head.subarray(30, 30 + nameLength)).toString('latin1')
  return SNAPSHOT_ENTRY_NAMES.has(name)
}

function isAuditExport(head: Uint8Array, isCut: boolean): boolean {
  try {
    const encoding = detectEncoding(head, isCut)
    detectFormat(new TextDecoder(encoding).decode(head))
    return true
  } catch {
    return false
  }
}
