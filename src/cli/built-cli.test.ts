import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, normalize, resolve } from 'node:path'

import { beforeAll, describe, expect, it } from 'vitest'

import type { NormalizedRecord } from '../shared/audit'
import { importAuditFile } from '../main/services/import'
import { restoreRecord } from '../main/services/store/encoded-records'

import { COMMANDS } from './cli'

const ROOT = resolve(__dirname, '../..')
const CLI = join(ROOT, 'out/main/cli.js')

function newestMtime(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs)
  }
  return newest
}

beforeAll(() => {
  const sources = [
    'src/cli',
    'src/shared/export',
    'src/shared/snapshot',
    'src/main/services/snapshot',
    'src/main/services/import',
    'src/main/services/store',
    'src/shared/audit'
  ]
  const newest = Math.max(...sources.map((s) => newestMtime(join(ROOT, s))))
  if (!existsSync(CLI) || statSync(CLI).mtimeMs < newest) {
    execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'],
      {
        cwd: ROOT,
        stdio: 'pipe'
      }
    )
  }
}, 180_000)

describe('built cax (out/main/cli.js)', () => {
  it('runs under plain Node and lists every command', () => {
    const result = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' })
    expect(result.status).toBe(0)
    for (const name of Object.keys(COMMANDS)) {
      expect(result.stdout).toContain(`  ${name} `)
    }
    expect(readFileSync(CLI, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true)
  })

  it('reaches no electron or keytar import', () => {
    const seen = new Set<string>()
    const queue = [CLI]
    while (queue.length > 0) {
      const file = queue.pop() as string
      if (seen.has(file)) {
        continue
      }
      seen.add(file)
      const text = readFileSync(file, 'utf8')
      expect(text, file).not.toMatch(
        /from\s*["'](electron|keytar)["']|import\(\s*["'](electron|keytar)["']|require\(\s*["'](electron|keytar)["']/
      )
      for (const m of text.matchAll(/(?:from|import\()\s*["'](\.[^"']+)["']/g)) {
        queue.push(normalize(join(dirname(file), m[1] ?? '')))
      }
    }
    expect(seen.size).toBeGreaterThan(3)
  })

  it('imports on worker threads exactly what the in-thread import gives', async () => {
    const fixtures = join(ROOT, 'src/main/services/import/fixtures')
    for (const name of ['purview-current.csv', 'records.ndjson', 'utf16le.csv', 'truncated.csv']) {
      const file = join(fixtures, name)
      const store = mkdtempSync(join(tmpdir(), 'cax-built-import-'))
      try {
        const run = spawnSync(
          process.execPath,
          [CLI, 'import', file, '--store', store, '--workers', '2', '--json'],
          { encoding: 'utf8' }
        )
        const summary = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as {
          files: Array<{ workers: number; records: number; new: number; rejected: number }>
        }
        expect(summary.files[0]?.workers, name).toBe(2)
        const stored = readFileSync(join(store, 'records.ndjson'), 'utf8')
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => restoreRecord(JSON.parse(line) as NormalizedRecord))

        const inThread: NormalizedRecord[] = []
        const job = importAuditFile(file)
        for await (const batch of job) {
          inThread.push(...batch.records)
        }
        expect(summary.files[0], name).toMatchObject({
          records: job.summary.rowsRead,
          new: job.summary.recordsAccepted,
          rejected: job.summary.rejectedCount
        })
        expect(stored, name).toEqual(inThread)
        expect(stored.length, name).toBeGreaterThan(0)
      } finally {
        rmSync(store, { recursive: true, force: true })
      }
    }
  })
})
