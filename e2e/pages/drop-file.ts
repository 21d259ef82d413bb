import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'

import type { Locator, Page } from '@playwright/test'

/** Drops the file at `path` on `zone`, as a file manager would (dragenter, dragover, drop). */
export async function dropFile(page: Page, zone: Locator, path: string): Promise<void> {
  const bytes = (await readFile(path)).toString('base64')
  const dataTransfer = await page.evaluateHandle(
    ({ base64, name }) => {
      const binary = atob(base64)
      const data = Uint8Array.from(binary, (c) => c.charCodeAt(0))
      const transfer = new DataTransfer()
      transfer.items.add(new File([data], name, { type: 'application/octet-stream' }))
      return transfer
    },
    { base64: bytes, name: basename(path) }
  )
  await zone.dispatchEvent('dragenter', { dataTransfer })
  await zone.dispatchEvent('dragover', { dataTransfer })
  await zone.dispatchEvent('drop', { dataTransfer })
}
