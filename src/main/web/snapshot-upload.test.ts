/**
 * The browser shell's snapshot upload route, over real HTTP: authenticated like every /api call,
 * bounded, and answered with a one-time handle that `snapshots:import` redeems (issue 12 item 5).
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { emptyLedger } from '../../shared/acquisition'
import { testRecord } from '../../shared/export/test-records'
import {
  AUDIT_FILE_UPLOAD_PATH,
  SNAPSHOT_UPLOAD_PATH,
  type EventPayload
} from '../../shared/ipc/contract'
import { createAppCore, type AppCore } from '../app-core'
import { MemoryLogger } from '../services/logging/logger'
import { MemorySecretStore } from '../services/auth/secret-store'
import { writeSnapshot } from '../services/snapshot'

import { startWebShell, type WebShell } from './server'
import { sendRaw, type RawRequest, type Reply } from './test-http'

function send(shell: WebShell, options: RawRequest): Promise<Reply> {
  return sendRaw(shell.port, options)
}

const SECRET = 'upload-secret-0123456789abcdefghijklmnopqrstu'

describe('snapshot upload route', () => {
  let dir: string
  let core: AppCore
  let shell: WebShell
  let snapshot: Buffer
  /** The session cookie, obtained the way a browser does: by opening the printed URL. */
  let session: string

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cax-upload-'))
    await mkdir(join(dir, 'renderer'), { recursive: true })
    await writeFile(join(dir, 'renderer', 'index.html'), '<!doctype html><title>frame</title>')
    const log = new MemoryLogger()
    core = createAppCore({
      shell: 'browser',
      version: '9.9.9',
      dataDir: join(dir, 'data'),
      log,
      secrets: new MemorySecretStore(),
      opener: { open: async () => undefined }
    })
    shell = await startWebShell({
      ...core,
      rendererDir: join(dir, 'renderer'),
      log,
      port: 0,
      secret: SECRET,
      uploadLimit: 64 * 1024,
      bodyIdleMs: 3_000
    })
    const opened = await send(shell, {
      path: new URL(shell.openUrl).pathname + new URL(shell.openUrl).search,
      headers: { Host: `127.0.0.1:${shell.port}` }
    })
    const setCookie = opened.headers['set-cookie']
    session = String(Array.isArray(setCookie) ? setCookie[0] : setCookie).split(';')[0]!
    const path = join(dir, 'good.caxsnap')
    await writeSnapshot(path, {
      records: [testRecord('11111111-aaaa-4bbb-8ccc-000000000001')],
      ledger: emptyLedger(),
      annotations: {},
      acquisitionLog: [],
      appVersion: '9.9.9'
    })
    snapshot = await readFile(path)
  })

  afterEach(async () => {
    await shell.close()
    await core.close()
    await rm(dir, { recursive: true, force: true })
  })

  const headers = (extra: Record<string, string> = {}): Record<string, string> => ({
    Host: `127.0.0.1:${shell.port}`,
    Origin: shell.origin,
    Cookie: session,
    'Content-Type': 'application/octet-stream',
    'X-Snapshot-Name': encodeURIComponent('my cache.caxsnap'),
    ...extra
  })
  const privateFiles = async (): Promise<string[]> =>
    readdir(join(dir, 'data', 'snapshot-imports')).catch(() => [])
  const auditPrivateFiles = async (): Promise<string[]> =>
    readdir(join(dir, 'data', 'audit-imports')).catch(() => [])

  it('takes an authenticated upload and returns a handle that imports it, verified', async () => {
    const reply = await send(shell, {
      method: 'POST',
      path: SNAPSHOT_UPLOAD_PATH,
      headers: headers(),
      body: snapshot
    })
    expect(reply.status).toBe(200)
    const result = JSON.parse(reply.body) as { ok: true; value: { handle: string; name: string } }
    expect(result).toMatchObject({
      ok: true,
      value: { name: 'my cache.caxsnap', size: snapshot.length }
    })
    expect(await privateFiles()).toHaveLength(1)

    const imported = await send(shell, {
      method: 'POST',
      path: '/api/snapshots:import',
      headers: headers({ 'Content-Type': 'application/json' }),
      body: JSON.stringify({ clientId: 'w', handle: result.value.handle })
    })
    expect(JSON.parse(imported.body)).toMatchObject({
      ok: true,
      value: { name: 'my cache.caxsnap', verification: { ok: true } }
    })
  })

  it('takes an audit file past the upload limit at its own route, and imports it by handle', async () => {
    const csv = await readFile(
      fileURLToPath(new URL('../services/import/fixtures/purview-current.csv', import.meta.url))
    )
    const big = Buffer.concat([csv, Buffer.from('\r\n'.repeat(64 * 1024))])
    const finishes: EventPayload<'imports:did-finish'>[] = []
    core.bus.subscribe((name, payload) => {
      if (name === 'imports:did-produce-batch') {
        const push = payload as EventPayload<'imports:did-produce-batch'>
        core.snapshots.ackAuditImport(push.importId, push.batchId, {
          ok: true,
          new: push.count,
          duplicates: 0
        })
      } else if (name === 'imports:did-finish') {
        finishes.push(payload as EventPayload<'imports:did-finish'>)
      }
    })
    const reply = await send(shell, {
      method: 'POST',
      path: AUDIT_FILE_UPLOAD_PATH,
      headers: headers({ 'X-Snapshot-Name': encodeURIComponent('export.csv') }),
      body: big
    })
    const result = JSON.parse(reply.body) as { ok: true; value: { handle: string } }
    expect(result).toMatchObject({ ok: true, value: { name: 'export.csv', size: big.length } })
    const started = await send(shell, {
      method: 'POST',
      path: '/api/imports:start',
      headers: headers({ 'Content-Type': 'application/json' }),
      body: JSON.stringify({ clientId: 'w', handle: result.value.handle })
    })
    expect(JSON.parse(started.body)).toMatchObject({ ok: true, value: { name: 'export.csv' } })
    await expect.poll(() => finishes.length).toBe(1)
    expect(finishes[0]).toMatchObject({ status: 'complete', format: 'purview-csv' })
    expect(finishes[0]?.counts.rejected).toBeGreaterThan(0)
    await expect.poll(auditPrivateFiles).toEqual([])
    expect(await privateFiles()).toEqual([])

    const refused = await send(shell, {
      method: 'POST',
      path: AUDIT_FILE_UPLOAD_PATH,
      headers: headers({ Cookie: '' }),
      body: csv
    })
    expect(refused.status).toBe(401)
    expect(await auditPrivateFiles()).toEqual([])
  })

  it.each([
    ['no session', { Cookie: '' }, 401],
    ['a foreign origin', { Origin: 'http://evil.example' }, 403],
    ['a cross-site fetch', { 'Sec-Fetch-Site': 'cross-site' }, 403],
    ['a form post', { 'Content-Type': 'multipart/form-data; boundary=x' }, 415],
    ['a foreign host', { Host: 'evil.example' }, 421]
  ])('refuses an upload with %s and keeps nothing', async (_name, extra, status) => {
    const reply = await send(shell, {
      method: 'POST',
      path: SNAPSHOT_UPLOAD_PATH,
      headers: headers(extra),
      body: snapshot
    })
    expect(reply.status).toBe(status)
    expect(await privateFiles()).toEqual([])
  })

  it('takes an upload for as long as it keeps sending; only silence ends it', async () => {
    // Sent in 40 pieces 100 ms apart: four seconds in all, longer than the body may stay silent.
    const pieces = 40
    const step = Math.ceil(snapshot.length / pieces)
    const reply = await new Promise<Reply>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: shell.port,
          method: 'POST',
          path: SNAPSHOT_UPLOAD_PATH,
          headers: { ...headers(), 'Content-Length': String(snapshot.length) }
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString()
            })
          )
        }
      )
      req.on('error', reject)
      let sent = 0
      const next = (): void => {
        req.write(snapshot.subarray(sent, sent + step))
        sent += step
        if (sent >= snapshot.length) {
          req.end()
        } else {
          setTimeout(next, 100)
        }
      }
      next()
    })
    expect(reply.status).toBe(200)
    expect(JSON.parse(reply.body)).toMatchObject({ ok: true, value: { size: snapshot.length } })
    const kept = await privateFiles()
    expect(kept).toHaveLength(1)

    // A body that stops half-way is cut off after the silence, and nothing of it is kept.
    const closed = await new Promise<string>((resolve) => {
      const req = request({
        host: '127.0.0.1',
        port: shell.port,
        method: 'POST',
        path: SNAPSHOT_UPLOAD_PATH,
        headers: { ...headers(), 'Content-Length': String(snapshot.length) }
      })
      req.on('response', () => resolve('answered'))
      req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'))
      req.write(snapshot.subarray(0, Math.floor(snapshot.length / 2)))
    })
    expect(closed).toBe('ECONNRESET')
    await expect.poll(privateFiles).toEqual(kept)
  })

  it('refuses an upload without a declared length, or over the limit, before reading it', async () => {
    const chunked = await send(shell, {
      method: 'POST',
      path: SNAPSHOT_UPLOAD_PATH,
      headers: headers({ 'Transfer-Encoding': 'chunked' }),
      body: snapshot
    })
    expect(chunked.status).toBe(411)
    const big = await send(shell, {
      method: 'POST',
      path: SNAPSHOT_UPLOAD_PATH,
      headers: headers(),
      body: Buffer.alloc(64 * 1024 + 1)
    })
    expect(big.status).toBe(413)
    expect(JSON.parse(big.body)).toMatchObject({
      ok: false,
      error: { code: 'web/payload-too-large' }
    })
    expect(await privateFiles()).toEqual([])
  })

  it('a tampered upload is refused by the import, which imports nothing and removes it', async () => {
    const tampered = Buffer.from(snapshot)
    // Inside records.ndjson's data (30-byte local header + its 14-byte name).
    tampered[60] = tampered[60]! ^ 0x01
    const reply = await send(shell, {
      method: 'POST',
      path: SNAPSHOT_UPLOAD_PATH,
      headers: headers(),
      body: tampered
    })
    const { value } = JSON.parse(reply.body) as { value: { handle: string } }
    const imported = await send(shell, {
      method: 'POST',
      path: '/api/snapshots:import',
      headers: headers({ 'Content-Type': 'application/json' }),
      body: JSON.stringify({ clientId: 'w', handle: value.handle })
    })
    expect(JSON.parse(imported.body)).toMatchObject({
      ok: true,
      value: { importId: null, verification: { ok: false } }
    })
    expect(await privateFiles()).toEqual([])
  })
})
