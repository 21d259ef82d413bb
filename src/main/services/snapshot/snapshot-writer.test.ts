import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterEach, beforeEach, expect, it } from 'vitest'

import { writeSnapshot } from './snapshot-writer'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cax-snapshot-mode-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

it.runIf(process.platform !== 'win32')(
  'writes a snapshot owner-only (0600), also in place of a readable file',
  async () => {
    const out = join(dir, 'handover.caxsnap')
    await writeFile(out, 'an older export')
    await chmod(out, 0o644)
    await writeSnapshot(out, {
      records: [],
      ledger: { version: 1, windows: {}, blobs: {}, queries: {} },
      annotations: {},
      acquisitionLog: [],
      appVersion: '0.1.0'
    })
    expect((await stat(out)).mode & 0o777).toBe(0o600)
  }
)
