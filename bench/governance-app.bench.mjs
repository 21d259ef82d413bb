// The app's governance views at scale: the governance worker's fold (src/renderer/src/governance/
// governance-engine.ts, foldChunk + GovernanceFold) over one million records held as the cache's
// own column chunks, then its overview (every resource row and every finding). The records are
// generated like governance.bench.mjs (a third connector events over 30 days: 20,000 connections,
// 60 custom APIs, 12 gateways, 400 actors), normalized and encoded with the cache's codec first
// (not measured). In the same run it reads every stored column of every record from the same
// chunks without folding: the floor any fold from the cache pays. The fold runs in a Web Worker
// in the app, so none of it blocks the UI thread; this measures it under Node.
// Writes bench/results/governance-app.json.
//
// BENCH_ROWS overrides the record count (e.g. BENCH_ROWS=100000 for a quick run).
import { mkdirSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { cpus, loadavg, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

import { build } from 'vite'

const here = dirname(fileURLToPath(import.meta.url))
const rows = Number(process.env.BENCH_ROWS ?? 1_000_000)

const out = await mkdtemp(join(tmpdir(), 'cax-bench-gov-app-'))
try {
  await build({
    configFile: false,
    logLevel: 'warn',
    root: here,
    // Bundled whole (zod included), so the output runs from a temporary folder.
    ssr: { noExternal: true },
    build: {
      ssr: join(here, 'governance-app-entry.ts'),
      outDir: out,
      emptyOutDir: true,
      rollupOptions: { output: { entryFileNames: 'entry.mjs' } }
    }
  })
  const entry = await import(pathToFileURL(join(out, 'entry.mjs')).href)
  console.log(`[bench] generating and encoding ${rows.toLocaleString()} records…`)
  const chunks = entry.makeChunks(rows)
  const load = loadavg().map((n) => n.toFixed(2))
  const f0 = performance.now()
  entry.readFloor(chunks)
  const floorMs = performance.now() - f0
  const result = entry.fold(chunks)
  const figures = {
    rows,
    chunks: chunks.length,
    floorMs: Math.round(floorMs),
    foldMs: Math.round(result.foldMs),
    overviewMs: Math.round(result.overviewMs),
    resources: result.resources,
    findings: result.findings,
    foldOverFloor: Number((result.foldMs / floorMs).toFixed(2)),
    loadAverage: load,
    cpus: cpus().length,
    node: process.version,
    at: new Date().toISOString()
  }
  console.log(
    `[bench] governance in the app, ${rows.toLocaleString()} records (${chunks.length} chunks), load average ${load.join(' ')}:`
  )
  console.log(`  read every column (floor)   ${figures.floorMs} ms`)
  console.log(
    `  fold (resources, history)   ${figures.foldMs} ms  (${figures.foldOverFloor}× the floor)`
  )
  console.log(`  overview (rows + findings)  ${figures.overviewMs} ms`)
  console.log(
    `  ${figures.resources.toLocaleString()} resources, ${figures.findings.toLocaleString()} findings`
  )
  mkdirSync(join(here, 'results'), { recursive: true })
  writeFileSync(join(here, 'results/governance-app.json'), `${JSON.stringify(figures, null, 2)}\n`)
} finally {
  await rm(out, { recursive: true, force: true })
}
