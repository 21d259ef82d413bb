#!/usr/bin/env node
// Starts the browser shell: builds the app first when needed, then runs out/main/web.js with the
// given arguments (see --help).
import { spawn } from 'node:child_process'
import { join } from 'node:path'

import { buildIfStale, root } from './build-if-stale.mjs'

buildIfStale()
const child = spawn(process.execPath, [join(root, 'out/main/web.js'), ...process.argv.slice(2)], {
  stdio: 'inherit'
})
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
