/**
 * Which files the OS asked us to open, from a command line: a double-click ("Open with") on
 * Windows and Linux starts the app with the files as arguments, and a second launch hands its
 * command line to the first instance (`second-instance`). macOS uses the `open-file` event
 * instead. What each file is — a snapshot or an audit export — is decided by its content
 * (open-file-kind.ts), not here: here only what cannot be a local file is dropped.
 */
import { isAbsolute, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The file paths in `argv` (absolute, resolved against `cwd`), in order.
 *
 * `argv[0]` is the executable; in development `argv[1]` is the app folder (a folder, which the
 * kind check then ignores). Switches (`--x`, including those Chromium adds to a second
 * instance's command line) are ignored. `file://` URLs (some Linux file managers) are converted
 * to paths; other URLs are never opened as files.
 */
export function openedPathsFromArgv(argv: readonly string[], cwd: string): string[] {
  const paths: string[] = []
  for (let i = 1; i < argv.length; i++) {
    const path = toOpenedPath(argv[i], cwd)
    if (path !== null && !paths.includes(path)) {
      paths.push(path)
    }
  }
  return paths
}

/** The absolute path of one argument when it can name a local file, else null. */
export function toOpenedPath(arg: string | undefined, cwd: string): string | null {
  if (arg === undefined || arg.length === 0 || arg.length > 4096 || arg.startsWith('-')) {
    return null
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f]/.test(arg)) {
    return null
  }
  let path = arg
  if (/^file:/i.test(arg)) {
    try {
      path = fileURLToPath(arg)
    } catch {
      return null
    }
  } else if (/^[a-z][a-z0-9+.-]+:\/\//i.test(arg)) {
    // Other URLs (http://, smb://, app://) are never opened as files.
    return null
  }
  return isAbsolute(path) ? resolve(path) : resolve(cwd, path)
}

/**
 * Holds the paths opened before the UI could receive them (macOS sends `open-file` before
 * `ready`; a double-click starts the app with the path) and delivers them once it is ready.
 */
export class PendingOpens {
  private readonly queue: string[] = []
  private deliver: ((path: string) => void) | undefined

  /** Queues `path`, or delivers it right away when the UI is ready. */
  open(path: string): void {
    if (this.deliver) {
      this.deliver(path)
    } else if (!this.queue.includes(path)) {
      this.queue.push(path)
    }
  }

  /** The UI went away (its window closed): queue again until the next {@link ready}. */
  suspend(): void {
    this.deliver = undefined
  }

  /** Marks the UI ready: delivers what is queued, in order, then everything that follows. */
  ready(deliver: (path: string) => void): void {
    this.deliver = deliver
    for (const path of this.queue.splice(0)) {
      deliver(path)
    }
  }
}
