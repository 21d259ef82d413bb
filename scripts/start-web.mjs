#!/usr/bin/env node
// Starts the browser shell: builds the app first when the build is missing or older than the
// sources, then runs out/main/web.js with the given arguments (see --help).
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const entry = join(root, 'out/main/web.js')
const outputs = [entry, join(root, 'out/renderer/index.html')]
const inputs = ['src', 'electron.vite.config.ts', 'package.json', 'package-lock.json']

function newestMtime(path) {
  if (!existsSync(path)) return 0
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  let newest = stat.mtimeMs
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)))
  return newest
}

const builtAt = Math.min(...outputs.map((p) => (existsSync(p) ? statSync(p).mtimeMs : 0)))
const changedAt = Math.max(...inputs.map((p) => newestMtime(join(root, p))))
if (builtAt < changedAt) {
  process.stderr.write('[start:web] building the app (sources changed since the last build)…\n')
  const build = spawnSync(
    process.execPath,
    [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'],
    {
      cwd: root,
      stdio: ['ignore', 2, 2] // keep stdout for the single `Open: ` line
    }
  )
  if (build.status !== 0) {
    process.stderr.write('[start:web] the build failed; see the messages above.\n')
    process.exit(build.status ?? 1)
  }
}

const child = spawn(process.execPath, [entry, ...process.argv.slice(2)], { stdio: 'inherit' })
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
