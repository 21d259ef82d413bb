import type { Locator, Page } from '@playwright/test'

import { dropFile } from './drop-file'

const DB_NAME = 'connector-audit-explorer'

/** The snapshots panel in the Sync view: export the cache, import a snapshot (picker or drop), see verification. */
export class SnapshotsPage {
  readonly exportButton: Locator
  readonly cancelExportButton: Locator
  readonly exportPath: Locator
  readonly exportFingerprint: Locator
  readonly fileInput: Locator
  readonly dropZone: Locator
  readonly uploadProgress: Locator
  readonly importButton: Locator
  readonly importResult: Locator
  readonly verification: Locator
  readonly failures: Locator
  readonly importCounts: Locator

  constructor(readonly page: Page) {
    this.exportButton = page.getByRole('button', { name: 'Export snapshot' })
    this.cancelExportButton = page.getByRole('button', { name: 'Cancel export' })
    this.exportPath = page.getByTestId('snapshot-export-path')
    this.exportFingerprint = page.getByTestId('snapshot-export-fingerprint')
    this.fileInput = page.getByLabel('Snapshot file')
    this.dropZone = page.getByTestId('snapshot-drop-zone')
    this.uploadProgress = page.getByRole('status', { name: 'Upload progress' })
    this.importButton = page.getByRole('button', { name: /^Import snapshot/ })
    this.importResult = page.getByTestId('snapshot-import')
    this.verification = page.getByTestId('snapshot-verification')
    this.failures = page.getByRole('list', { name: 'Verification failures' }).getByRole('listitem')
    this.importCounts = page.getByTestId('snapshot-import-counts')
  }

  async open(): Promise<void> {
    await this.page.getByRole('link', { name: 'Sync', exact: true }).click()
    await this.page.getByRole('heading', { name: 'Snapshots' }).waitFor()
  }

  /**
   * Exports the cache and returns the path the app wrote (as it shows it). Waits for the export
   * to end however long a loaded machine takes: the test's own time limit bounds it.
   */
  async exportCache(): Promise<{ path: string; fingerprint: string }> {
    await this.exportButton.click()
    await this.exportFingerprint.waitFor({ timeout: 0 })
    return {
      path: (await this.exportPath.innerText()).trim(),
      fingerprint: (await this.exportFingerprint.innerText()).trim()
    }
  }

  /** Imports a snapshot through the file picker (the browser shell uploads it). */
  async importByPicker(path: string): Promise<void> {
    await this.fileInput.setInputFiles(path)
  }

  /** Imports a snapshot by dropping the file on the panel, as a file manager would. */
  async importByDrop(path: string): Promise<void> {
    await dropFile(this.page, this.dropZone, path)
  }

  /** Adds one annotation row the way the Explorer stores it. */
  async seedAnnotation(id: string, tags: string[]): Promise<void> {
    await this.page.evaluate(
      async ({ name, row }) => {
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const request = indexedDB.open(name)
          request.onsuccess = () => resolve(request.result)
          request.onerror = () => reject(request.error)
        })
        const tx = db.transaction('annotations', 'readwrite')
        tx.objectStore('annotations').put(row)
        await new Promise((resolve, reject) => {
          tx.oncomplete = resolve
          tx.onerror = () => reject(tx.error)
        })
        db.close()
      },
      { name: DB_NAME, row: { id, tags, comment: '', updatedAt: new Date().toISOString() } }
    )
  }

  /** Deletes the app's IndexedDB database (the whole cache) and reloads the page. */
  async clearCacheAndReload(): Promise<void> {
    await this.page.evaluate(
      (name) =>
        new Promise<void>((resolve, reject) => {
          const request = indexedDB.deleteDatabase(name)
          request.onsuccess = () => resolve()
          request.onerror = () => reject(request.error)
        }),
      DB_NAME
    )
    await this.page.reload()
    await this.page.locator('[data-app-state="ready"]').waitFor()
  }
}
