/**
 * Non-secret user settings, kept as JSON in the data folder.
 *
 * An unreadable or invalid file is moved aside (settings.json.corrupt-<time>) and defaults are
 * used, so a damaged file never stops the app and is never silently overwritten.
 */
import { rename } from 'node:fs/promises'
import { join } from 'node:path'

import { AppError } from '../../../shared/errors'
import { Settings } from '../../../shared/ipc/contract'

import { readJsonFile, writeJsonFileAtomic } from '../json-store/json-file'
import type { Logger } from '../logging/logger'

/** Settings for a user who has changed nothing. */
export const DEFAULT_SETTINGS: Settings = { theme: 'system', updates: 'automatic' }

export interface SettingsServiceDeps {
  dataDir: string
  log: Logger
  /** Called after every change that was written. */
  onDidChange: (settings: Settings) => void
}

/** Reads and updates {@link Settings}; one instance per data folder. */
export class SettingsService {
  private current: Settings | undefined
  private readonly file: string
  private queue: Promise<unknown> = Promise.resolve()

  constructor(private readonly deps: SettingsServiceDeps) {
    this.file = join(deps.dataDir, 'settings.json')
  }

  /** The current settings, loaded from disk on first use. */
  async get(): Promise<Settings> {
    if (this.current === undefined) {
      this.current = await this.load()
    }
    return this.current
  }

  /** Applies a partial change, writes it, and announces it. Writes are serialized. */
  update(change: Partial<Settings>): Promise<Settings> {
    const run = this.queue.then(async () => {
      const next = Settings.parse({ ...(await this.get()), ...change })
      try {
        await writeJsonFileAtomic(this.file, next)
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'unknown'
        this.deps.log.error(`[settings] write failed: ${code}`)
        throw new AppError(
          'settings/write-failed',
          code === 'ENOSPC'
            ? 'The disk is full: settings were not saved. Free some space and try again.'
            : `Settings could not be saved (${code}). Check that the data folder is writable.`
        )
      }
      this.current = next
      this.deps.onDidChange(next)
      return next
    })
    this.queue = run.catch(() => undefined)
    return run
  }

  private async load(): Promise<Settings> {
    let raw: unknown
    try {
      raw = await readJsonFile(this.file)
    } catch (error) {
      await this.quarantine(error instanceof SyntaxError ? 'not valid JSON' : 'unreadable')
      return DEFAULT_SETTINGS
    }
    if (raw === undefined) {
      return DEFAULT_SETTINGS
    }
    const isPlainObject = typeof raw === 'object' && raw !== null && !Array.isArray(raw)
    const parsed = Settings.safeParse(isPlainObject ? { ...DEFAULT_SETTINGS, ...raw } : raw)
    if (!parsed.success) {
      await this.quarantine('invalid values')
      return DEFAULT_SETTINGS
    }
    return parsed.data
  }

  private async quarantine(reason: string): Promise<void> {
    const aside = `${this.file}.corrupt-${Date.now()}`
    this.deps.log.warn(`[settings] ${reason}; moved aside to ${aside}, using defaults`)
    await rename(this.file, aside).catch(() => undefined)
  }
}
