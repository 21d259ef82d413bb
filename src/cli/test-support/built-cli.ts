/**
 * Test support: the bundled `cax` (out/main/cli.js), built when it is missing or older than the
 * code it bundles, for tests that run the CLI in a child process (and kill it).
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'

/** The repository root. */
export const ROOT = resolve(__dirname, '../../..')
/** The bundled CLI. */
export const CLI = join(ROOT, 'out/main/cli.js')

function newestSource(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(
      newest,
      entry.isDirectory()
        ? newestSource(path)
        : entry.name.endsWith('.test.ts')
          ? 0
          : statSync(path).mtimeMs
    )
  }
  return newest
}

/** Builds out/main/cli.js when it is missing or older than any file under `sources`. */
export function ensureBuiltCli(sources: readonly string[]): void {
  const newest = Math.max(...sources.map((d) => newestSource(join(ROOT, d))))
  if (existsSync(CLI) && statSync(CLI).mtimeMs >= newest) {
    return
  }
  try {
    execFileSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: 'pipe', timeout: 240_000 })
  } catch (error) {
    throw new Error(
      `[test] building the CLI (npx electron-vite build) failed, so the crash test cannot run: ${(error as Error).message.slice(0, 500)}`
    )
  }
  if (!existsSync(CLI)) {
    throw new Error(`[test] ${CLI} does not exist after the build`)
  }
}
