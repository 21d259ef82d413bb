/**
 * Shared set-up of the CLI tests that run commands in-process against the emulator: a fake
 * tenant with a clean month of activity, an app registration with a secret, a temporary folder
 * holding the emulator's CA file, a store's Ids and a `--json` summary. In-memory I/O is
 * `memoryIo` of ../test-io. Test-only.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { SCENARIOS, startEmulator } from '../../emulator'
import type { Emulator } from '../../emulator'
import { FileStore } from '../../main/services/store/file-store'
import type { MemoryIo } from '../test-io'

/** The last line a `--json` command printed, parsed (`{}` when it is not JSON). */
export function lastJson(io: MemoryIo): Record<string, unknown> {
  try {
    return io.json()
  } catch {
    return {}
  }
}

/** Every record Id in the store at `path`, in store order. */
export async function storedIds(path: string): Promise<string[]> {
  const store = await FileStore.open(path)
  const ids: string[] = []
  try {
    for await (const r of store.records()) {
      ids.push(r.id)
    }
  } finally {
    await store.close()
  }
  return ids
}

/** What {@link startEmulatorKit} sets up. */
export interface EmulatorKitOptions {
  /** The app registration given a client secret. */
  appId: string
  secret: string
  /** Activity a day of the clean scenario. */
  eventsPerDay: number
  seed: number
  /** The emulator's frozen clock. */
  now: Date
  /** Prefix of the temporary folder (`cax-…-`). */
  tmpPrefix: string
  /** Access-token lifetime in seconds (the emulator's default when absent). */
  tokenLifetime?: number
}

/** A running emulator with a temporary folder holding its CA file. */
export interface EmulatorKit {
  emu: Emulator
  dir: string
  caFile: string
  close(): Promise<void>
}

/** Starts the emulator (clean scenario) with a secret for `appId` and writes its CA file. */
export async function startEmulatorKit(options: EmulatorKitOptions): Promise<EmulatorKit> {
  const emu = await startEmulator({
    scenario: {
      ...SCENARIOS.clean,
      generator: { ...SCENARIOS.clean.generator, eventsPerDay: options.eventsPerDay }
    },
    seed: options.seed,
    now: options.now
  })
  if (options.tokenLifetime !== undefined) {
    emu.entra.setAccessTokenLifetime(options.tokenLifetime)
  }
  emu.entra.setClientSecret(options.appId, options.secret)
  const dir = await mkdtemp(join(tmpdir(), options.tmpPrefix))
  const caFile = join(dir, 'ca.pem')
  await writeFile(caFile, emu.caCertPem)
  return {
    emu,
    dir,
    caFile,
    async close() {
      await emu.close()
      await rm(dir, { recursive: true, force: true })
    }
  }
}
