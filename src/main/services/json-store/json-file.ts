/**
 * Crash-safe JSON files: a write goes to a temporary file that is flushed and then renamed over
 * the target, so a crash or a full disk leaves either the old or the new content, never half.
 */
import { open, readFile, rename, rm } from 'node:fs/promises'
import { dirname, basename, join } from 'node:path'
import { mkdir } from 'node:fs/promises'

/** Reads and parses a JSON file; `undefined` when it does not exist. Other errors are thrown. */
export async function readJsonFile(path: string): Promise<unknown> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined
    }
    throw error
  }
  return JSON.parse(text) as unknown
}

/** Writes `value` as JSON atomically (temp file, fsync, rename). */
export async function writeJsonFileAtomic(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`)
  const handle = await open(temp, 'w', 0o600)
  try {
    await handle.writeFile(`${JSON.stringify(value, null, 2)}\n`, 'utf8')
    await handle.sync()
  } catch (error) {
    await handle.close()
    await rm(temp, { force: true })
    throw error
  }
  await handle.close()
  await rename(temp, path)
}
