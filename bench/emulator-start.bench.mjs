// How long the standalone emulator takes to start (certificates included): from spawning
// `node out/main/emulator.js` to its "Emulator:" line. Target: under two seconds.
// Needs `npm run build:bundle` first. Writes bench/results/emulator-start.json.
import { spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const RUNS = 5

function startOnce() {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const child = spawn(
      process.execPath,
      [join(root, 'out/main/emulator.js'), '--port', '0', '--scenario', 'demo'],
      {
        stdio: ['ignore', 'pipe', 'inherit']
      }
    )
    const lines = createInterface({ input: child.stdout })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error('the emulator printed no "Emulator:" line within 30 s'))
    }, 30_000)
    lines.on('line', (line) => {
      if (line.startsWith('Emulator: ')) {
        const ms = performance.now() - t0
        clearTimeout(timer)
        child.kill('SIGTERM')
        resolve(ms)
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`the emulator exited early with code ${code}`))
    })
  })
}

const times = []
for (let i = 0; i < RUNS; i++) {
  times.push(await startOnce())
}
times.sort((a, b) => a - b)
const result = {
  bench: 'emulator-start',
  at: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? '',
    memoryBytes: totalmem(),
    node: process.version
  },
  runs: RUNS,
  medianMs: Math.round(times[Math.floor(RUNS / 2)]),
  maxMs: Math.round(times[RUNS - 1]),
  targetMs: 2000
}
mkdirSync(join(root, 'bench/results'), { recursive: true })
writeFileSync(
  join(root, 'bench/results/emulator-start.json'),
  `${JSON.stringify(result, null, 2)}\n`
)
console.table([{ median: `${result.medianMs} ms`, max: `${result.maxMs} ms`, target: '< 2000 ms' }])
