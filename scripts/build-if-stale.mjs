// Builds the app with electron-vite when out/ is missing or older than the sources.
// Used by `npm run start:web` and by the e2e global setup, so neither serves a stale build.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const outputs = [
  'out/main/index.js',
  'out/main/web.js',
  'out/main/web-test-hooks.js',
  'out/preload/index.cjs',
  'out/renderer/index.html'
]
const inputs = ['src', 'electron.vite.config.ts', 'package.json', 'package-lock.json']

function newestMtime(path) {
  if (!existsSync(path)) return 0
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  let newest = stat.mtimeMs
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)))
  return newest
}

/** Returns true when a build ran; exits the process when the build fails. */
export function buildIfStale() {
  const builtAt = Math.min(
    ...outputs.map((p) => (existsSync(join(root, p)) ? statSync(join(root, p)).mtimeMs : 0))
  )
  const changedAt = Math.max(...inputs.map((p) => newestMtime(join(root, p))))
  if (builtAt >= changedAt) return false
  process.stderr.write('[build] building the app (sources changed since the last build)…\n')
  const build = spawnSync(
    process.execPath,
    [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'],
    // stdout stays free for the single `Open: ` line of the browser shell.
    { cwd: root, stdio: ['ignore', 2, 2] }
  )
  if (build.status !== 0) {
    process.stderr.write('[build] the build failed; see the messages above.\n')
    process.exit(build.status ?? 1)
  }
  return true
}
