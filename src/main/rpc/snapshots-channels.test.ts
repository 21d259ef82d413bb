import { copyFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { emptyLedger } from '../../shared/acquisition'
import type { EventName } from '../../shared/ipc/contract'
import type { AppCore } from '../app-core'
import { verifySnapshot } from '../services/snapshot'

import { startTestCore } from './test-core'

describe('snapshot channels through the dispatcher (both transports use it)', () => {
  let dir: string
  let core: AppCore
  let close: () => Promise<void>

  beforeEach(async () => {
    ;({ dir, core, close } = await startTestCore('cax-snap-rpc-', (folder) => ({
      snapshotLocations: { chooseExportPath: async (name) => join(folder, `${name}.caxsnap`) }
    })))
  })

  afterEach(() => close())

  it('refuses invalid input, paths, unknown handles, and dropped paths in the browser shell', async () => {
    expect(await core.dispatch('snapshots:import', { clientId: 'w', handle: 42 })).toMatchObject({
      ok: false,
      error: { code: 'ipc/invalid-input' }
    })
    // The UI cannot name a file by path any more (issue 10 item 6).
    expect(
      await core.dispatch('snapshots:import', { clientId: 'w', path: join(dir, 'x.caxsnap') })
    ).toMatchObject({ ok: false, error: { code: 'ipc/invalid-input' } })
    expect(
      await core.dispatch('snapshots:import', { clientId: 'w', handle: '../../etc/passwd' })
    ).toMatchObject({ ok: false, error: { code: 'ipc/invalid-input' } })
    expect(
      await core.dispatch('snapshots:import', { clientId: 'w', handle: 'A'.repeat(22) })
    ).toMatchObject({ ok: false, error: { code: 'snapshot/unknown-handle' } })
    expect(await core.dispatch('snapshots:import', { clientId: 'w' })).toMatchObject({
      ok: false,
      error: { code: 'snapshot/file-required' }
    })
    expect(
      await core.dispatch('snapshots:offer-dropped-file', { path: join(dir, 'x.caxsnap') })
    ).toMatchObject({ ok: false, error: { code: 'snapshot/not-available' } })
    expect(
      await core.dispatch('snapshots:export-append', { exportId: 'x', records: [{ no: 'id' }] })
    ).toMatchObject({ ok: false, error: { code: 'ipc/invalid-input' } })
    expect(await core.dispatch('snapshots:export-finish', { exportId: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'snapshot/unknown-export' }
    })
  })

  it('exports an empty cache and imports it back, publishing the end of the import', async () => {
    const events: { name: EventName; payload: unknown }[] = []
    core.bus.subscribe((name, payload) => events.push({ name, payload }))
    const begun = await core.dispatch('snapshots:export-begin', {
      suggestedName: 'empty',
      ledger: emptyLedger(),
      annotations: {}
    })
    expect(begun).toMatchObject({ ok: true, value: { path: join(dir, 'empty.caxsnap') } })
    const exportId = (begun as { value: { exportId: string } }).value.exportId
    const finished = await core.dispatch('snapshots:export-finish', { exportId })
    expect(finished).toMatchObject({ ok: true, value: { records: 0 } })
    expect((await verifySnapshot(join(dir, 'empty.caxsnap'))).ok).toBe(true)

    const handle = core.snapshots.offers.offer({
      path: join(dir, 'empty.caxsnap'),
      name: 'empty.caxsnap',
      size: 0,
      isPrivate: false
    })
    const imported = await core.dispatch('snapshots:import', { clientId: 'w', handle })
    expect(imported).toMatchObject({ ok: true, value: { verification: { ok: true } } })
    const importId = (imported as { value: { importId: string } }).value.importId
    while (!events.some((e) => e.name === 'snapshots:did-produce-import-batch')) {
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    const batch = events.find((e) => e.name === 'snapshots:did-produce-import-batch')
    expect(batch?.payload).toMatchObject({
      importId,
      clientId: 'w',
      batchId: 1,
      count: 0,
      chunks: []
    })
    await core.dispatch('snapshots:ack-import-batch', {
      importId,
      batchId: 1,
      outcome: { ok: true, new: 0, duplicates: 0 }
    })
    while (!events.some((e) => e.name === 'snapshots:did-finish-import')) {
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    expect(events.find((e) => e.name === 'snapshots:did-finish-import')?.payload).toMatchObject({
      importId,
      status: 'complete'
    })
  })

  it('announces a file opened from the OS to the import its content names, and lists the acquisition log', async () => {
    const seen: Array<{ event: EventName; payload: unknown }> = []
    core.bus.subscribe((event, payload) => seen.push({ event, payload }))
    const csv = join(dir, 'opened.txt')
    await copyFile(
      fileURLToPath(new URL('../services/import/fixtures/records.ndjson', import.meta.url)),
      csv
    )
    expect(await core.openFromOs(csv)).toBe('audit-file')
    const announced = seen.find((e) => e.event === 'imports:did-open')
    expect(announced?.payload).toMatchObject({ name: 'opened.txt' })
    expect(seen.some((e) => e.event === 'snapshots:did-open')).toBe(false)
    const started = await core.dispatch('imports:start', {
      clientId: 'w',
      handle: (announced?.payload as { handle: string }).handle
    })
    expect(started).toMatchObject({ ok: true, value: { name: 'opened.txt' } })

    const notOurs = join(dir, 'notes.md')
    await writeFile(notOurs, '# notes')
    expect(await core.openFromOs(notOurs)).toBeNull()
    const broken = join(dir, 'broken.caxsnap')
    await writeFile(broken, 'not a zip')
    expect(await core.openFromOs(broken)).toBe('snapshot')
    expect(seen.find((e) => e.event === 'snapshots:did-open')?.payload).toMatchObject({
      handle: null,
      verification: { ok: false }
    })

    expect(await core.dispatch('acquire:list-log', {})).toEqual({
      ok: true,
      value: { entries: [], total: 0, problems: [] }
    })
  })
})
