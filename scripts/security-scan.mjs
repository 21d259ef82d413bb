#!/usr/bin/env node
// `npm run security:scan`: runs Electronegativity over the built out/ folder against the Electron
// version package.json pins, so the scan follows an Electron upgrade without a second edit.
// AvailableSecurityFixesGlobalCheck is excluded because it needs the network.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const electron = manifest.devDependencies?.electron
if (!/^\d+\.\d+\.\d+$/.test(electron ?? '')) {
  console.error(
    `security:scan: package.json must pin electron to an exact x.y.z (found ${electron})`
  )
  process.exit(2)
}
const require = createRequire(import.meta.url)
const cli = join(
  dirname(require.resolve('@doyensec/electronegativity/package.json')),
  'dist',
  'index.js'
)
const args = ['-i', 'out', '-r', '-x', 'AvailableSecurityFixesGlobalCheck', '-e', electron]
const run = spawnSync(process.execPath, [cli, ...args, ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit'
})
process.exit(run.status ?? 1)
