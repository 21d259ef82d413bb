/**
 * Test support for the channel tests: a real app core (browser shell) on a fresh data folder,
 * and a dispatcher call that unwraps a result or throws naming the channel and the error.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { createAppCore, type AppCore, type AppCoreOptions } from '../app-core'
import { MemoryLogger } from '../services/logging/logger'
import { MemorySecretStore } from '../services/auth/secret-store'

export interface TestCore {
  /** The test's folder; the app's data folder is `<dir>/data`. */
  dir: string
  core: AppCore
  /** Closes the core and removes the folder. */
  close(): Promise<void>
}

/**
 * An app core on `<new temp folder>/data`; `options` (or a function of the folder) override the
 * defaults (secrets, ports, snapshot locations…).
 */
export async function startTestCore(
  prefix: string,
  options: Partial<AppCoreOptions> | ((dir: string) => Partial<AppCoreOptions>) = {}
): Promise<TestCore> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  const core = createAppCore({
    shell: 'browser',
    version: '9.9.9',
    dataDir: join(dir, 'data'),
    log: new MemoryLogger(),
    secrets: new MemorySecretStore(),
    opener: { open: async () => undefined },
    ...(typeof options === 'function' ? options(dir) : options)
  })
  return {
    dir,
    core,
    close: async () => {
      await core.close()
      await rm(dir, { recursive: true, force: true })
    }
  }
}

/** The value of a dispatched call; a failed result throws `<channel>: <code> <message>`. */
export async function dispatchValue<T>(core: AppCore, channel: string, input: unknown): Promise<T> {
  const result = await core.dispatch(channel, input)
  if (!result.ok) {
    throw new Error(`${channel}: ${result.error.code} ${result.error.message}`)
  }
  return result.value as T
}
