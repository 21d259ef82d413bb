/**
 * Checks a path the desktop UI hands main for a dropped snapshot file (the preload reads it with
 * `webUtils.getPathForFile` from a File the user dropped). Pure, so it is tested for Windows on
 * every platform (issue 10 item 6).
 */
import { posix, win32 } from 'node:path'

import { SNAPSHOT_EXTENSION } from '../../../shared/snapshot/snapshot-format'

/** The outcome of {@link checkOfferedPath}; `reason` is for the log, never for the UI. */
export type OfferedPathCheck = { ok: true; path: string } | { ok: false; reason: string }

/**
 * True for Windows paths that reach another machine or a device namespace: UNC
 * (`\\server\share`, `//server/share`, mixed slashes), the long UNC form `\\?\UNC\server\share`,
 * and the `\\?\` and `\\.\` device prefixes. Opening any of them makes Windows connect out (SMB,
 * and with it an NTLM hash) or bypass path normalisation.
 */
export function isWindowsUncOrDevicePath(path: string): boolean {
  return /^[\\/]{2}/.test(path)
}

/**
 * Checks a path for a snapshot offered by the UI: a non-empty absolute local path without control
 * characters, at most 4,096 characters, ending in `.caxsnap`; on Windows a drive-letter path
 * (UNC and device paths refused). Returns the normalised path. Does not touch the file system.
 */
export function checkOfferedPath(path: string, platform: NodeJS.Platform): OfferedPathCheck {
  if (path.length === 0 || path.length > 4096) {
    return { ok: false, reason: 'empty or longer than 4,096 characters' }
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) {
    return { ok: false, reason: 'control characters' }
  }
  if (!path.toLowerCase().endsWith(SNAPSHOT_EXTENSION)) {
    return { ok: false, reason: `not a ${SNAPSHOT_EXTENSION} file` }
  }
  if (platform === 'win32') {
    if (isWindowsUncOrDevicePath(path)) {
      return { ok: false, reason: 'a UNC or device path' }
    }
    if (!/^[A-Za-z]:[\\/]/.test(path)) {
      return { ok: false, reason: 'not an absolute drive-letter path' }
    }
    return { ok: true, path: win32.normalize(path) }
  }
  if (!posix.isAbsolute(path)) {
    return { ok: false, reason: 'not an absolute path' }
  }
  return { ok: true, path: posix.normalize(path) }
}
