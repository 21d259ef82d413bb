import type { Locator, Page } from '@playwright/test'

/** The app frame: header, theme picker and status bar. */
export class FramePage {
  readonly transport: Locator
  readonly version: Locator
  readonly themePicker: Locator
  readonly docsLink: Locator
  readonly emptyState: Locator

  constructor(readonly page: Page) {
    this.transport = page.getByTestId('transport')
    this.version = page.getByTestId('version')
    this.themePicker = page.getByLabel('Theme')
    this.docsLink = page.getByTestId('docs-link')
    this.emptyState = page.getByRole('heading', { name: 'No audit records cached yet' })
  }

  /** The page background colour as the user sees it. */
  async backgroundColor(): Promise<string> {
    return this.page.evaluate(() => getComputedStyle(document.body).backgroundColor)
  }
}
