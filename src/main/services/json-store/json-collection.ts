/**
 * A list of records with ids kept as one JSON file in the data folder
 * (`{ "version": 1, "<key>": [ … ] }`): read once and validated with zod, written atomically,
 * changes serialized. A file that does not parse is moved aside (`<file>.corrupt-<ms>`) and the
 * list starts empty, so a damaged file is kept for the user and never blocks the app.
 */
import { rename } from 'node:fs/promises'
import { basename } from 'node:path'

import { z } from 'zod'

import { AppError } from '../../../shared/errors'
import type { Logger } from '../logging/logger'

import { readJsonFile, writeJsonFileAtomic } from './json-file'

/** How a {@link JsonCollection} is stored and how its errors read. */
export interface JsonCollectionOptions<T> {
  /** The JSON file's full path. */
  file: string
  /** The array's property in the file (`profiles`, `destinations`). */
  key: string
  /** Validates one item of the array. */
  item: z.ZodType<T>
  /** The error-code domain and log tag: `profiles` gives `profiles/not-found`, `[profiles]`. */
  domain: 'profiles' | 'destinations'
  /** One item in words, for messages: `profile`. */
  noun: string
  log: Logger
  /** Called with the new list after every successful write. */
  onDidChange?: (items: T[]) => void
}

/** What a change to the collection returns: the new list and the caller's answer. */
export interface CollectionChange<T, R> {
  next: T[]
  result: R
}

/** A JSON-file collection of items with string ids; see the file comment. */
export class JsonCollection<T extends { id: string }> {
  private items: T[] | undefined
  private queue: Promise<unknown> = Promise.resolve()
  private readonly fileSchema: z.ZodType<Record<string, unknown>>

  constructor(private readonly options: JsonCollectionOptions<T>) {
    this.fileSchema = z.object({ version: z.literal(1), [options.key]: z.array(options.item) })
  }

  /** All items, in the order they were created. */
  async list(): Promise<T[]> {
    this.items ??= await this.load()
    return this.items
  }

  /** One item, or a `<domain>/not-found` error. */
  async get(id: string): Promise<T> {
    const found = (await this.list()).find((item) => item.id === id)
    if (!found) {
      throw this.notFound(id)
    }
    return found
  }

  /** The `<domain>/not-found` error for `id`. */
  notFound(id: string): AppError {
    return new AppError(`${this.options.domain}/not-found`, `No ${this.options.noun} with id ${id}`)
  }

  /** Deletes an item; true when it existed. */
  delete(id: string): Promise<boolean> {
    return this.mutate((items) => {
      const next = items.filter((item) => item.id !== id)
      return { next, result: next.length !== items.length }
    })
  }

  /**
   * Runs `change` on the current list after every earlier change, writes its `next` list and
   * returns its `result`. A failed write leaves the list as it was and throws
   * `<domain>/write-failed`.
   */
  mutate<R>(
    change: (items: T[]) => CollectionChange<T, R> | Promise<CollectionChange<T, R>>
  ): Promise<R> {
    const run = this.queue.then(async () => {
      const { next, result } = await change(await this.list())
      try {
        await writeJsonFileAtomic(this.options.file, { version: 1, [this.options.key]: next })
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'unknown'
        const { noun } = this.options
        throw new AppError(
          `${this.options.domain}/write-failed`,
          code === 'ENOSPC'
            ? `The disk is full: the ${noun} was not saved. Free some space and try again.`
            : `The ${noun} could not be saved (${code}). Check that the data folder is writable.`
        )
      }
      this.items = next
      this.options.onDidChange?.(next)
      return result
    })
    this.queue = run.catch(() => undefined)
    return run
  }

  private async load(): Promise<T[]> {
    const { file, key, domain, log } = this.options
    let raw: unknown
    try {
      raw = await readJsonFile(file)
    } catch {
      raw = null
    }
    if (raw === undefined) {
      return []
    }
    const parsed = this.fileSchema.safeParse(raw)
    if (parsed.success) {
      return parsed.data[key] as T[]
    }
    const aside = `${file}.corrupt-${Date.now()}`
    log.warn(`[${domain}] ${basename(file)} is unreadable; moved aside to ${aside}`)
    await rename(file, aside).catch(() => undefined)
    return []
  }
}
