import type { Locator, Page } from '@playwright/test'

/** The Sync view and the sync indicator in the status bar. */
export class SyncPage {
  readonly statusBar: Locator
  readonly startButton: Locator
  readonly cancelButton: Locator
  readonly range: Locator
  readonly summary: Locator
  readonly coverageCells: Locator
  /** The runs of hours that are not complete, each with its reason. */
  readonly notCompleteReasons: Locator
  /** The entries of the acquisition log, newest first. */
  readonly logEntries: Locator

  constructor(readonly page: Page) {
    this.statusBar = page.getByTestId('sync-status')
    this.startButton = page.getByRole('button', { name: 'Start sync' })
    this.cancelButton = page.getByRole('button', { name: 'Cancel sync' })
    this.range = page.getByRole('combobox', { name: 'Range' })
    this.summary = page.getByTestId('sync-summary')
    this.coverageCells = page
      .getByRole('figure', { name: 'Coverage by hour' })
      .getByRole('list', { name: 'Every hour' })
      .getByRole('listitem')
    this.notCompleteReasons = page
      .getByRole('list', { name: 'Hours not complete' })
      .getByRole('listitem')
    this.logEntries = page.getByTestId('acquisition-log-entry')
  }

  /** How many syncs this window has started (0 before the first). */
  async runs(): Promise<number> {
    const status = this.page.locator('[data-testid="sync-status"][data-sync-run]')
    return (await status.count()) === 0 ? 0 : Number(await status.getAttribute('data-sync-run'))
  }

  /**
   * Waits until sync number `run` of this window (default: the first) has ended and returns its
   * outcome. It waits on the app's state (the status bar's `data-sync-run` and `data-outcome`),
   * never on a wall-clock budget: the limit is only a backstop for a sync that hangs, generous
   * enough for a loaded machine.
   */
  async ended(run = 1, timeout = 10 * 60_000): Promise<string> {
    const done = this.page.locator(
      `[data-testid="sync-status"][data-sync-run="${run}"][data-outcome]`
    )
    await done.waitFor({ timeout })
    return (await done.getAttribute('data-outcome')) ?? ''
  }

  /**
   * Starts the demo tenant from the welcome screen and waits until its first sync (Management
   * API) has ended; returns that sync's outcome.
   */
  async startDemo(): Promise<string> {
    await this.page.getByRole('button', { name: 'Explore the demo tenant' }).click()
    return this.ended(1)
  }

  /** From the Sync view: syncs `connection` over `range`; returns the outcome of sync `run`. */
  async syncConnection(connection: string, range: string, run: number): Promise<string> {
    await this.open()
    await this.page
      .getByRole('combobox', { name: 'Connection to sync' })
      .selectOption({ label: connection })
    await this.range.selectOption({ label: range })
    await this.startButton.click()
    return this.ended(run)
  }

  /** The last sync's counts: `… 5,120 records received, 312 new, 4,808 duplicates, 0 gaps.` */
  async summaryCounts(): Promise<{ records: number; new: number; duplicates: number }> {
    const summary = await this.summary.innerText()
    const n = (re: RegExp): number => Number(re.exec(summary)?.[1]?.replace(/,/g, '') ?? 'NaN')
    return {
      records: n(/([\d,]+) records received/),
      new: n(/([\d,]+) new/),
      duplicates: n(/([\d,]+) duplicates/)
    }
  }

  async open(): Promise<void> {
    await this.page.getByRole('link', { name: 'Sync', exact: true }).click()
    await this.page.getByRole('heading', { name: 'Sync' }).waitFor()
  }

  /** Hours of the coverage timeline with a given status. */
  cells(status: 'complete' | 'partial' | 'gap' | 'pending' | 'imported'): Locator {
    return this.page.locator(`.coverage-strip [data-status="${status}"]`)
  }
}
