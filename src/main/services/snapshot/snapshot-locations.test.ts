import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { downloadsSnapshotLocations } from './snapshot-locations'

describe('review pack locations in the browser shell', () => {
  let home: string

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'cax-pack-home-'))
    await mkdir(join(home, 'Downloads'))
  })

  afterEach(async () => {
    await rm(home, { recursive: true, force: true })
  })

  it('picks a name free for the snapshot, the XLSX and the HTML alike', async () => {
    const locations = downloadsSnapshotLocations({ dataDir: join(home, 'data'), home })
    const downloads = join(home, 'Downloads')
    // Only the XLSX of the first name exists: the pack must not overwrite it.
    await writeFile(join(downloads, 'pack.xlsx'), 'a reviewer’s earlier pack')
    expect(await locations.chooseReviewPackPath?.('pack')).toBe(join(downloads, 'pack (2).caxsnap'))
    // A name handed out is not handed out again, and an HTML in the way is skipped too.
    await writeFile(join(downloads, 'pack (3).html'), 'x')
    expect(await locations.chooseReviewPackPath?.('pack')).toBe(join(downloads, 'pack (4).caxsnap'))
    // A plain snapshot export only needs its own name free.
    expect(await locations.chooseExportPath('pack')).toBe(join(downloads, 'pack.caxsnap'))
  })
})
