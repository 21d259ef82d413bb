import type { CliIo } from './cli-io'

/** An in-memory CliIo for tests: what was written to stdout and stderr. */
export interface MemoryIo extends CliIo {
  out: () => string
  err: () => string
  /** The `--json` summary: the last line of stdout, parsed. */
  json: () => Record<string, unknown>
}

/** Creates an in-memory CliIo rooted at `cwd`. */
export function memoryIo(cwd: string, env: Record<string, string> = {}): MemoryIo {
  let out = ''
  let err = ''
  return {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: { USER: 'tester', ...env },
    cwd,
    out: () => out,
    err: () => err,
    json: () => {
      const lines = out.trimEnd().split('\n')
      return JSON.parse(lines[lines.length - 1] ?? '{}') as Record<string, unknown>
    }
  }
}
