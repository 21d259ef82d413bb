import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { emptyLedger } from '../../../shared/acquisition'
import { testRecord } from '../../../shared/export/test-records'
import { events } from '../../../shared/ipc/contract'
import { DEFAULT_SNAPSHOT_LIMITS, nextLogEntry } from '../../../shared/snapshot'
import { MemoryLogger } from '../logging/logger'

import { nodeSha256 } from './node-sha256'
import { openSnapshotFile } from './open-snapshot'
import { writeSnapshot } from './snapshot-writer'

let dir = ''
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cax-open-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('openSnapshotFile', () => {
  it('verifies a real snapshot and produces a payload the event schema accepts', async () => {
    const path = join(dir, 'good.caxsnap')
    const entry = nextLogEntry(
      [],
      {
        at: '2026-05-19T10:00:00.000Z',
        actor: 'auditor',
        action: 'import',
        source: 'a.csv',
        parameters: {},
        counts: { records: 1 }
      },
      nodeSha256
    )
    const written = await writeSnapshot(path, {
      records: [testRecord('11111111-aaaa-4bbb-8ccc-000000000001')],
      ledger: emptyLedger(),
      annotations: {},
      acquisitionLog: [entry],
      appVersion: '0.1.0'
    })
    const log = new MemoryLogger()
    const payload = await openSnapshotFile(path, log)
    expect(payload.path).toBe(path)
    expect(payload.verification).toMatchObject({
      ok: true,
      fingerprint: written.fingerprint,
      failures: []
    })
    expect(payload.verification.manifest?.recordCount).toBe(1)
    expect(events['snapshots:did-open'].parse(payload)).toEqual(payload)
    expect(log.lines[0]).toMatch(/^info \[snapshot\] opened .*good\.caxsnap: verified/)
  })

  it('reports a file that is not a snapshot without throwing', async () => {
    const path = join(dir, 'bad.caxsnap')
    await writeFile(path, 'not a zip')
    const log = new MemoryLogger()
    const payload = await openSnapshotFile(path, log)
    expect(payload.verification.ok).toBe(false)
    expect(payload.verification.failures[0]?.code).toBe('container-unreadable')
    expect(events['snapshots:did-open'].parse(payload)).toEqual(payload)
    expect(log.lines[0]).toMatch(/verification failed \(container-unreadable\)/)
  })

  it('turns an unexpected verifier error into a failed verification', async () => {
    const payload = await openSnapshotFile(
      '/x.caxsnap',
      new MemoryLogger(),
      DEFAULT_SNAPSHOT_LIMITS,
      () => Promise.reject(new Error('EACCES'))
    )
    expect(payload.verification).toMatchObject({
      ok: false,
      failures: [{ code: 'container-unreadable', message: 'EACCES' }]
    })
  })
})
