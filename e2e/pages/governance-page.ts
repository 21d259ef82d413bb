import type { Locator, Page } from '@playwright/test'

/** The Resources and Findings views. */
export class GovernancePage {
  readonly status: Locator
  readonly resourceRows: Locator
  readonly findText: Locator
  readonly kind: Locator
  readonly state: Locator
  readonly detail: Locator
  readonly timelineRows: Locator
  readonly sharingRows: Locator
  readonly rules: Locator

  constructor(readonly page: Page) {
    this.status = page.getByTestId('governance-status')
    this.resourceRows = page.getByTestId('resource-row')
    this.findText = page.getByRole('searchbox', { name: 'Find resources' })
    this.kind = page.getByRole('combobox', { name: 'Kind' })
    this.state = page.getByRole('combobox', { name: 'State' })
    this.detail = page.getByTestId('resource-detail')
    this.timelineRows = this.detail.getByTestId('timeline-row')
    this.sharingRows = this.detail.getByTestId('sharing-row')
    this.rules = page.getByTestId('finding-rule')
  }

  /** Opens Resources and waits until the whole cache (`records` of it) is folded. */
  async openResources(records: number): Promise<void> {
    await this.page.getByRole('link', { name: 'Resources' }).click()
    await this.waitFolded(records)
  }

  /** Opens Findings and waits until the whole cache (`records` of it) is folded. */
  async openFindings(records: number): Promise<void> {
    await this.page.getByRole('link', { name: 'Findings' }).click()
    await this.waitFolded(records)
  }

  private async waitFolded(records: number): Promise<void> {
    await this.page
      .locator(`[data-testid="governance-status"][data-done="true"][data-folded="${records}"]`)
      .waitFor({ timeout: 120_000 })
  }

  rule(id: string): Locator {
    return this.page.locator(`[data-testid="finding-rule"][data-rule-id="${id}"]`)
  }
}
