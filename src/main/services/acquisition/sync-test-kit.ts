/**
 * Test support for the KQL sources in the app (workspace, ADX): the emulator with a clean month
 * of activity, a profile saved and signed in through the real AuthService, and an AcquireService
 * whose batches land in a {@link MemorySink}, with a sync that resolves when its job ends.
 * Test-only.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { SCENARIOS, startEmulator, type Emulator } from '../../../emulator'
import type { Profile, ProfileInput, ProfilePlacement } from '../../../shared/profiles'
import { emulatorAuthRig, type EmulatorAuthRig } from '../auth/emulator-auth-rig'

import { AcquireService, type JobFinish } from './acquire-service'
import { MemorySink } from './memory-sink'

/** The claims of a JWT (not verified: the test reads what the emulator issued). */
export function claims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<
    string,
    unknown
  >
}

/** What {@link startSignedInProfile} sets up. */
export interface SignedInProfileOptions {
  /** Activity a day of the clean scenario. */
  eventsPerDay: number
  /** The emulator's frozen clock. */
  now: Date
  /** Prefix of the temporary data folder (`cax-…-`). */
  tmpPrefix: string
  /** Runs before the profile is saved (seed a table, …). */
  prepare?: (emu: Emulator) => void
  /** The profile to save for the emulator's tenant. */
  profile: (emu: Emulator) => ProfileInput
  /** Main's placement of it (endpoints, demo flag). */
  placement: (emu: Emulator) => ProfilePlacement
}

/** A running emulator, the auth rig in a temporary data folder and the signed-in profile. */
export interface SignedInProfile {
  emu: Emulator
  dir: string
  rig: EmulatorAuthRig
  profile: Profile
  close(): Promise<void>
}

/** Starts the emulator (seed 23, 30-day tokens), saves the profile and signs it in. */
export async function startSignedInProfile(
  options: SignedInProfileOptions
): Promise<SignedInProfile> {
  const emu = await startEmulator({
    scenario: {
      ...SCENARIOS.clean,
      generator: { ...SCENARIOS.clean.generator, eventsPerDay: options.eventsPerDay }
    },
    seed: 23,
    now: options.now
  })
  emu.entra.setAccessTokenLifetime(30 * 86_400)
  options.prepare?.(emu)
  const dir = await mkdtemp(join(tmpdir(), options.tmpPrefix))
  const rig = emulatorAuthRig(emu, dir)
  const saved = await rig.profiles.save(options.profile(emu), options.placement(emu))
  await rig.auth.signIn(saved.id)
  return {
    emu,
    dir,
    rig,
    profile: await rig.profiles.get(saved.id),
    async close() {
      await emu.close()
      await rm(dir, { recursive: true, force: true })
    }
  }
}

/** An AcquireService whose batches are committed to {@link sink} and acknowledged. */
export interface SyncRunner {
  sink: MemorySink
  service: AcquireService
  /** Syncs `profileId` over [since, until) from the sink's ledger; resolves when the job ends. */
  sync(profileId: string, since: Date, until: Date): Promise<JobFinish>
}

/** Builds a {@link SyncRunner} on the rig's profiles, auth and HTTP client. */
export function syncRunner(rig: EmulatorAuthRig): SyncRunner {
  const sink = new MemorySink()
  const finishes: JobFinish[] = []
  const service: AcquireService = new AcquireService({
    profiles: rig.profiles,
    auth: rig.auth,
    http: rig.http,
    log: rig.log,
    onBatch: (push) => {
      void sink
        .commit({ records: push.records, ledger: push.ledger })
        .then((outcome) => service.ack(push.jobId, push.batchId, { ok: true, ...outcome }))
    },
    onProgress: () => undefined,
    onFinish: (finish) => finishes.push(finish)
  })
  return {
    sink,
    service,
    async sync(profileId, since, until) {
      const count = finishes.length
      await service.start({
        profileId,
        clientId: 'window',
        since,
        until,
        history: false,
        allRecords: false,
        ledger: await sink.loadLedger()
      })
      // Waits on the service's own finish event (no wall-clock budget: the test's limit is the
      // backstop for a hang).
      return new Promise<JobFinish>((resolve) => {
        const poll = (): void => {
          const last = finishes[count]
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
}
