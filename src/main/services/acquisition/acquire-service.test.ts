import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { startEmulator, type Emulator } from '../../../emulator'
import { emptyLedger, type Ledger } from '../../../shared/acquisition'

import { emulatorAuthRig } from '../auth/emulator-auth-rig'

import { AcquireService, type BatchPush, type JobFinish } from './acquire-service'
import { MemorySink } from './memory-sink'
import { realSleep } from './token-bucket'

const NOW = new Date('2026-11-20T12:00:00Z')
const HOUR = 3_600_000

/** The renderer's part, played in the test: commit each pushed batch, then acknowledge. */
class FakeWindow {
  readonly sink = new MemorySink()
  readonly finishes: JobFinish[] = []
  failNext: string | null = null
  ignore = false
  constructor(
    readonly clientId: string,
    private readonly service: () => AcquireService
  ) {}

  async onBatch(push: BatchPush): Promise<void> {
    if (push.clientId !== this.clientId || this.ignore) {
      return
    }
    if (this.failNext) {
      this.service().ack(push.jobId, push.batchId, {
        ok: false,
        code: 'QuotaExceededError',
        message: this.failNext
      })
      return
    }
    const outcome = await this.sink.commit({ records: push.records, ledger: push.ledger })
    this.service().ack(push.jobId, push.batchId, { ok: true, ...outcome })
  }

  finished(): Promise<JobFinish> {
    return new Promise((resolve) => {
      const poll = (): void => {
        const last = this.finishes.at(-1)
        if (last) {
          resolve(last)
        } else {
          setTimeout(poll, 20)
        }
      }
      poll()
    })
  }
}

describe('AcquireService: the engine feeding the UI with back-pressure', () => {
  let emu: Emulator
  let dir: string
  let service: AcquireService
  let win: FakeWindow
  let other: FakeWindow
  let profileId: string
  let pushes: number

  beforeEach(async () => {
    emu = await startEmulator({ scenario: 'duplicates', seed: 3, now: NOW })
    emu.entra.setAccessTokenLifetime(30 * 86_400)
    dir = await mkdtemp(join(tmpdir(), 'cax-acquire-'))
    const { http, log, profiles, auth, signedInProfile } = emulatorAuthRig(emu, dir)
    profileId = (await signedInProfile()).id
    pushes = 0
    win = new FakeWindow('window-a', () => service)
    other = new FakeWindow('window-b', () => service)
    service = new AcquireService({
      profiles,
      auth,
      http,
      log,
      ackTimeoutMs: 2_000,
      engine: {
        now: () => emu.clock.now(),
        sleep: (ms, signal) => realSleep(Math.min(ms, 2), signal)
      },
      onBatch: (push) => {
        pushes += 1
        void win.onBatch(push)
        void other.onBatch(push)
      },
      onProgress: () => undefined,
      onFinish: (finish) =>
        [win, other].find((w) => w.clientId === finish.clientId)?.finishes.push(finish)
    })
  })

  afterEach(async () => {
    service.cancelAll()
    await emu.close()
    await rm(dir, { recursive: true, force: true })
  })

  const range = {
    since: new Date(NOW.getTime() - 30 * HOUR),
    until: new Date(NOW.getTime() - 6 * HOUR)
  }
  const start = (ledger: Ledger = emptyLedger()): ReturnType<AcquireService['start']> =>
    service.start({
      profileId,
      clientId: 'window-a',
      ...range,
      history: false,
      allRecords: false,
      ledger
    })

  it('delivers every event exactly once to the window that asked, through acknowledged batches', async () => {
    await start()
    const end = await win.finished()
    expect(end).toMatchObject({ status: 'complete', error: null })
    const truth = [...emu.groundTruth(range.since, range.until, 'Audit.General')].map((i) =>
      i.toLowerCase()
    )
    expect([...win.sink.records.keys()].sort()).toEqual(truth.sort())
    expect(end.result?.duplicates).toBeGreaterThan(0)
    expect(other.sink.records.size).toBe(0)
    expect(pushes).toBe(win.sink.commits)
  })

  it('resumes from the ledger the window sends: finished blobs are not fetched again', async () => {
    await start()
    await win.finished()
    const ledger = await win.sink.loadLedger()
    win.finishes.length = 0
    await start(ledger)
    const again = await win.finished()
    expect(again.result?.blobs.skipped).toBeGreaterThan(0)
    expect(again.result?.new).toBe(0)
  })

  it('stops with a specific error when the window cannot store a batch (disk full)', async () => {
    win.failNext = 'The disk is full'
    await start()
    const end = await win.finished()
    expect(end.status).toBe('failed')
    expect(end.error).toMatchObject({ code: 'acquire/store-failed' })
    expect(end.error?.message).toContain('The disk is full')
  })

  it('stops when no window acknowledges in time, instead of producing more', async () => {
    win.ignore = true
    await start()
    const end = await win.finished()
    expect(end.status).toBe('failed')
    expect(end.error?.message).toContain('did not store a batch in time')
    // At most two batches travel unanswered (the window commits one while the next arrives).
    expect(pushes).toBeGreaterThanOrEqual(1)
    expect(pushes).toBeLessThanOrEqual(2)
  })

  it('cancels a running job and refuses a second job for the same connection', async () => {
    win.ignore = true
    const { jobId } = await start()
    await expect(start()).rejects.toMatchObject({ code: 'acquire/busy' })
    expect(service.cancel(jobId)).toBe(true)
    const end = await win.finished()
    expect(end.status).toBe('cancelled')
    expect(service.ack(jobId, 1, { ok: true, new: 1, duplicates: 0 })).toBe(false)
  })
})
