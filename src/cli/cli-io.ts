/**
 * The command line's view of the world, injected so commands run in-process in tests.
 */

/** Something text can be written to (process.stdout, a test buffer). */
export interface CliOutput {
  write(chunk: string): unknown
}

/** Standard streams, environment and working folder of one CLI run. */
export interface CliIo {
  stdout: CliOutput
  stderr: CliOutput
  env: Readonly<Record<string, string | undefined>>
  /** Relative paths in arguments are resolved against this folder. */
  cwd: string
}

/** The real process's streams, environment and working folder. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }
}
