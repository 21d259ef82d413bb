/**
 * Where the browser shell puts exported snapshots: a new file in the user's Downloads folder, or
 * in the data folder's `exports/` when there is no Downloads folder. The server runs on the
 * user's machine, so the path is shown to them as it is.
 */
import { mkdir, stat } from 'node:fs/promises'
import { homedir } from 'node:os'
import { extname, join } from 'node:path'

import { SNAPSHOT_EXTENSION } from '../../../shared/snapshot'

import type { SnapshotLocations } from './snapshots-service'

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory()
  } catch {
    return false
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}

/** A file name without path separators or control characters, ending in `.caxsnap`. */
export function safeSnapshotName(suggested: string): string {
  // eslint-disable-next-line no-control-regex
  const cleaned = suggested.replace(/[\u0000-\u001f<>:"/\\|?*]+/g, '-').trim()
  const base = cleaned.replace(/^\.+/, '') || 'snapshot'
  return extname(base).toLowerCase() === SNAPSHOT_EXTENSION ? base : `${base}${SNAPSHOT_EXTENSION}`
}

/**
 * Export locations for a shell without dialogs: a unique name (`x.caxsnap`, `x (2).caxsnap`…) in
 * `~/Downloads`, else `<dataDir>/exports`. Imports arrive as uploads (no dialog).
 */
export function downloadsSnapshotLocations(options: {
  dataDir: string
  home?: string
}): SnapshotLocations {
  const reserved = new Set<string>()
  /** A new name in Downloads (or the data folder) free for every extension given. */
  const choose = async (suggestedName: string, alsoFree: readonly string[]): Promise<string> => {
    const downloads = join(options.home ?? homedir(), 'Downloads')
    let dir = downloads
    if (!(await isDirectory(downloads))) {
      dir = join(options.dataDir, 'exports')
      // Owner-only, like the snapshot files written into it (issue 10 item 8).
      await mkdir(dir, { recursive: true, mode: 0o700 })
    }
    const name = safeSnapshotName(suggestedName)
    const stem = name.slice(0, -SNAPSHOT_EXTENSION.length)
    for (let n = 1; ; n += 1) {
      const base = join(dir, n === 1 ? stem : `${stem} (${n})`)
      const candidate = `${base}${SNAPSHOT_EXTENSION}`
      const others = alsoFree.map((ext) => `${base}${ext}`)
      if (
        !reserved.has(candidate) &&
        !(await exists(candidate)) &&
        !(await Promise.all(others.map(exists))).some(Boolean)
      ) {
        reserved.add(candidate)
        return candidate
      }
    }
  }
  return {
    chooseExportPath: (suggestedName) => choose(suggestedName, []),
    // A review pack's XLSX and HTML go next to its snapshot, under the same name.
    chooseReviewPackPath: (suggestedName) => choose(suggestedName, ['.xlsx', '.html'])
  }
}
