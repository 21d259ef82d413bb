import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { emptyLedger } from '../../../shared/acquisition'
import { testRecord } from '../../../shared/export/test-records'

import { buildRawZip, deflatedEntry } from '../snapshot/test-zip'
import { writeSnapshot } from '../snapshot/snapshot-writer'

import { openedFileKind } from './open-file-kind'

const fixture = (name: string): string =>
  fileURLToPath(new URL(`../import/fixtures/${name}`, import.meta.url))

let dir = ''
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cax-open-kind-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function file(name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, content)
  return path
}

describe('openedFileKind', () => {
  it('knows a snapshot by its content, whatever its name', async () => {
    const snapshot = join(dir, 'real.caxsnap')
    await writeSnapshot(snapshot, {
      records: [testRecord('a')],
      ledger: emptyLedger(),
      annotations: {},
      appVersion: '1.0.0',
      createdAt: new Date('2026-12-05T12:00:00Z'),
      acquisitionLog: []
    })
    expect(await openedFileKind(snapshot)).toBe('snapshot')
    const renamed = join(dir, 'evidence.zip')
    await copyFile(snapshot, renamed)
    expect(await openedFileKind(renamed)).toBe('snapshot')
    const noExtension = join(dir, 'evidence')
    await copyFile(snapshot, noExtension)
    expect(await openedFileKind(noExtension)).toBe('snapshot')
  })

  it('knows audit exports by their content: Purview and classic CSV, JSON arrays, NDJSON', async () => {
    const renamedCsv = join(dir, 'purview-export.txt')
    await copyFile(fixture('purview-current.csv'), renamedCsv)
    expect(await openedFileKind(renamedCsv)).toBe('audit-file')
    expect(await openedFileKind(fixture('purview-classic.csv'))).toBe('audit-file')
    expect(await openedFileKind(fixture('records.ndjson'))).toBe('audit-file')
    expect(await openedFileKind(fixture('management-blobs.json.txt'))).toBe('audit-file')
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('CreationDate,UserIds,Operations,AuditData\r\n', 'utf16le')
    ])
    expect(await openedFileKind(await file('unicode-export', utf16))).toBe('audit-file')
  })

  it('sends an unreadable file to the import its extension names, which explains what is wrong', async () => {
    expect(await openedFileKind(await file('broken.caxsnap', 'not a zip'))).toBe('snapshot')
    expect(await openedFileKind(await file('empty.csv', ''))).toBe('audit-file')
    expect(await openedFileKind(await file('people.csv', 'Name,Email\r\nA,a@x\r\n'))).toBe(
      'audit-file'
    )
    // A workbook is a zip, but not a snapshot: named .csv it goes to the import ("save as CSV").
    const xlsx = buildRawZip([deflatedEntry('[Content_Types].xml', '<Types/>')])
    expect(await openedFileKind(await file('export.csv.xlsx', xlsx))).toBeNull()
    expect(await openedFileKind(await file('export-xlsx.csv', xlsx))).toBe('audit-file')
  })

  it('ignores what is neither: a script, a picture, a folder, a missing file', async () => {
    expect(
      await openedFileKind(await file('index.js', 'import { app } from "electron"\n'))
    ).toBeNull()
    expect(
      await openedFileKind(await file('photo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0])))
    ).toBeNull()
    const folder = join(dir, 'folder.csv')
    await mkdir(folder)
    expect(await openedFileKind(folder)).toBeNull()
    expect(await openedFileKind(join(dir, 'missing.csv'))).toBeNull()
  })
})
