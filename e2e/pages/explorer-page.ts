import { expect, type Download, type Locator, type Page } from '@playwright/test'

import { encodeChunk } from '../../src/renderer/src/db/record-chunk'
import type { NormalizedRecord } from '../../src/shared/audit'

const DB_NAME = 'connector-audit-explorer'

/** The Explorer view: toolbar, facets, histogram, grid, details pane. */
export class ExplorerPage {
  readonly emptyState: Locator
  readonly status: Locator
  readonly quickSearch: Locator
  readonly dateRange: Locator
  readonly grid: Locator
  readonly rows: Locator
  readonly facets: Locator
  readonly details: Locator
  readonly rawRecord: Locator
  readonly savedFilter: Locator
  readonly filterName: Locator
  readonly bulkTagInput: Locator
  readonly notice: Locator
  readonly searchError: Locator
  readonly stack: Locator
  readonly stackBy: Locator
  readonly stackSummary: Locator
  readonly stackRows: Locator

  constructor(readonly page: Page) {
    this.emptyState = page.getByRole('heading', { name: 'No audit records cached yet' })
    this.status = page.getByTestId('explorer-status')
    this.quickSearch = page.getByRole('searchbox', { name: 'Quick search' })
    this.dateRange = page.getByRole('combobox', { name: 'Date range' })
    this.grid = page.getByRole('region', { name: 'Audit records' })
    this.rows = this.grid.locator('[role="row"][row-index]')
    this.facets = page.getByRole('complementary', { name: 'Facets' })
    this.details = page.getByRole('complementary', { name: 'Record details' })
    this.rawRecord = this.details.getByLabel('Raw record', { exact: true })
    this.savedFilter = page.getByRole('combobox', { name: 'Saved filter', exact: true })
    this.filterName = page.getByRole('textbox', { name: 'Filter name' })
    this.bulkTagInput = page.getByRole('textbox', { name: 'Tag for all shown records' })
    this.notice = page.getByTestId('explorer-notice')
    this.searchError = page.getByTestId('search-error')
    this.stack = page.getByRole('region', { name: 'Stack' })
    this.stackBy = this.stack.getByRole('combobox', { name: 'Stack by' })
    this.stackSummary = page.getByTestId('stack-summary')
    this.stackRows = page.getByTestId('stack-entry')
  }

  /**
   * Puts records into the cache the way a commit does — one encoded chunk (the app's own codec),
   * the meta row moved on in the same transaction, then the "records committed" message on the
   * app's BroadcastChannel — from the test, with no test-only hook in the app.
   * Call it once the Explorer has opened the (empty) cache.
   */
  async seed(records: readonly Record<string, unknown>[]): Promise<void> {
    await this.emptyState.waitFor()
    const chunk = encodeChunk(records as unknown as NormalizedRecord[])
    // Typed arrays cross to the page as plain arrays plus their type name.
    const plain = (part: object): Record<string, unknown> =>
      Object.fromEntries(
        Object.entries(part).map(([key, value]) => [
          key,
          ArrayBuffer.isView(value)
            ? { typed: value.constructor.name, values: Array.from(value as Uint32Array) }
            : value
        ])
      )
    const columns = plain(chunk.columns)
    await this.page.evaluate(
      async ({ name, columns, body, ids }) => {
        const types: Record<string, new (values: number[]) => unknown> = {
          Float64Array,
          Uint32Array,
          Uint16Array,
          Uint8Array
        }
        const typedAgain = (part: Record<string, unknown>): Record<string, unknown> => {
          const out: Record<string, unknown> = {}
          for (const [key, value] of Object.entries(part)) {
            const typed = value as { typed?: string; values?: number[] } | null
            out[key] =
              typed && typeof typed === 'object' && typeof typed.typed === 'string'
                ? new types[typed.typed]!(typed.values!)
                : value
          }
          return out
        }
        const decoded = typedAgain(columns)
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const request = indexedDB.open(name)
          request.onsuccess = () => resolve(request.result)
          request.onerror = () => reject(request.error)
        })
        const tx = db.transaction(['meta', 'columns', 'bodies', 'chunkIds'], 'readwrite')
        const metaRequest = tx.objectStore('meta').get('records')
        metaRequest.onsuccess = () => {
          const meta = (metaRequest.result as { chunks: number; rows: number } | undefined) ?? {
            chunks: 0,
            rows: 0
          }
          const n = meta.chunks
          const firstRow = meta.rows
          tx.objectStore('columns').put({ ...decoded, n, firstRow })
          tx.objectStore('bodies').put({ ...typedAgain(body), n })
          tx.objectStore('chunkIds').put({ ...ids, n, firstRow })
          tx.objectStore('meta').put({
            key: 'records',
            chunks: n + 1,
            rows: firstRow + (decoded['count'] as number)
          })
        }
        await new Promise((resolve, reject) => {
          tx.oncomplete = resolve
          tx.onerror = () => reject(tx.error)
        })
        db.close()
        const channel = new BroadcastChannel('cax-db')
        channel.postMessage({ type: 'records-committed', dbName: name, added: ids.ids.length })
        channel.close()
      },
      { name: DB_NAME, columns, body: plain(chunk.body), ids: chunk.ids }
    )
  }

  /** The facet checkbox for a value. */
  facet(title: string, value: string): Locator {
    return this.facets
      .getByRole('region', { name: `${title} facet` })
      .locator('label', { hasText: value })
      .getByRole('checkbox')
  }

  /** The text of a visible column's cells, top to bottom. */
  /** The status line's `8,120 of 19,502 records` as [shown, total]. */
  async statusCounts(): Promise<[number, number]> {
    const m = /([\d,]+) of ([\d,]+) records/.exec(await this.status.innerText())
    const n = (v: string | undefined): number => Number(v?.replace(/,/g, '') ?? 'NaN')
    return [n(m?.[1]), n(m?.[2])]
  }

  /**
   * Waits until the whole cache is indexed ("so far" gone), then narrows the view by a quick
   * search and waits until fewer records are shown; returns how many are.
   */
  async narrowByQuickSearch(search: string): Promise<number> {
    await expect(this.status).toContainText(' records', { timeout: 120_000 })
    await expect(this.status).not.toContainText('so far', { timeout: 120_000 })
    const [before] = await this.statusCounts()
    await this.quickSearch.fill(search)
    await expect
      .poll(async () => (await this.statusCounts())[0], { timeout: 120_000 })
      .toBeLessThan(before)
    return (await this.statusCounts())[0]
  }

  async columnTexts(colId: string): Promise<string[]> {
    return this.rows.locator(`[col-id="${colId}"]`).allInnerTexts()
  }

  /** The grid header texts, left to right. */
  async headers(): Promise<string[]> {
    return this.grid.locator('.ag-header-cell-text').allInnerTexts()
  }

  /** A column header's name, whose title is the column's description. */
  headerLabel(colId: string): Locator {
    return this.grid.locator(`.ag-header-cell[col-id="${colId}"] .ag-header-cell-text > span`)
  }

  /** Types into a column's text filter ("contains") from its header menu, then closes the menu. */
  async filterColumn(colId: string, text: string): Promise<void> {
    await this.grid
      .locator(`.ag-header-cell[col-id="${colId}"] .ag-header-cell-filter-button`)
      .click()
    await this.page.getByLabel('Filter Value').first().fill(text)
    await this.page.keyboard.press('Escape')
  }

  /** How many grid rows carry a class (a row split by pinned columns counts once). */
  async rowsWithClass(className: string): Promise<number> {
    const indexes = await this.grid
      .locator(`[role="row"][row-index].${className}`)
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('row-index')))
    return new Set(indexes).size
  }

  /** Opens the stack panel. */
  async openStack(): Promise<void> {
    await this.page.getByRole('button', { name: 'Stack', exact: true }).click()
    await this.stack.waitFor()
  }

  /** The stack's entries as shown: values…, count, share. */
  async stackEntries(): Promise<string[][]> {
    await this.stackRows.first().waitFor()
    return this.stackRows.evaluateAll((rows) =>
      rows.map((row) => [...row.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? ''))
    )
  }

  /** Sorts by a column header; `isAdded` shift-clicks it (another sort key, as in ag-grid). */
  async sortBy(colId: string, { isAdded = false } = {}): Promise<void> {
    await this.grid
      .locator(`.ag-header-cell[col-id="${colId}"] .ag-header-cell-label`)
      .click(isAdded ? { modifiers: ['Shift'] } : {})
  }

  /** Adds a colour rule from the Colour rules dialog (left open). */
  async addColourRule(search: string, colour: string): Promise<void> {
    const dialog = this.page.getByRole('dialog', { name: 'Colour rules' })
    if (!(await dialog.isVisible())) {
      await this.page.getByRole('button', { name: /^Colour rules/ }).click()
    }
    await dialog.getByRole('textbox', { name: 'Rule search' }).fill(search)
    await dialog.getByRole('combobox', { name: 'Rule colour' }).selectOption(colour)
    await dialog.getByRole('button', { name: 'Add rule' }).click()
  }

  /** Pins a column (by header name) from the column chooser, or unpins it (null). */
  async pin(header: string, side: 'left' | 'right' | null): Promise<void> {
    await this.page.getByRole('button', { name: /^Columns \(/ }).click()
    const dialog = this.page.getByRole('dialog', { name: 'Choose columns' })
    await dialog
      .getByRole('combobox', { name: `Pin ${header}`, exact: true })
      .selectOption(side ?? '')
    await dialog.getByRole('button', { name: 'Done' }).click()
  }

  /** Shows a column (by header name) from the column chooser. */
  async showColumn(header: string): Promise<void> {
    await this.page.getByRole('button', { name: /^Columns \(/ }).click()
    const dialog = this.page.getByRole('dialog', { name: 'Choose columns' })
    await dialog.getByRole('checkbox', { name: header, exact: true }).check()
    await dialog.getByRole('button', { name: 'Done' }).click()
  }

  async saveFilterAs(name: string): Promise<void> {
    await this.filterName.fill(name)
    await this.page.getByRole('button', { name: 'Save as new' }).click()
  }

  async tagAllShown(tag: string): Promise<void> {
    await this.bulkTagInput.fill(tag)
    await this.page.getByRole('button', { name: /^Tag [\d,]* records$/ }).click()
  }

  /** Exports the view as CSV through the Blob download path and returns the download. */
  async exportCsv(): Promise<Download> {
    return this.export('Export CSV')
  }

  /** Exports the view as XLSX through the Blob download path and returns the download. */
  async exportXlsx(): Promise<Download> {
    return this.export('Export XLSX')
  }

  private async export(button: string): Promise<Download> {
    // The File System Access picker is a native dialog; the download path is what tests can see.
    await this.page.evaluate(() =>
      Object.defineProperty(window, 'showSaveFilePicker', { value: undefined, configurable: true })
    )
    const download = this.page.waitForEvent('download')
    await this.page.getByRole('button', { name: button }).click()
    return download
  }
}
