import type { Locator, Page } from '@playwright/test'

/** The Connections view: profiles, sign-in, connection tests. */
export class ConnectionsPage {
  constructor(readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.getByRole('link', { name: 'Connections' }).click()
    await this.page.getByRole('heading', { name: 'Connections' }).waitFor()
  }

  card(name: string): Locator {
    return this.page.getByRole('article', { name, exact: true })
  }

  status(name: string): Locator {
    return this.card(name).getByTestId('auth-status')
  }

  /** Signs the connection in and waits until its card says who is signed in. */
  async signIn(name: string): Promise<void> {
    await this.card(name).getByRole('button', { name: 'Sign in', exact: true }).click()
    await this.status(name)
      .filter({ hasText: /Signed in as / })
      .waitFor()
  }

  /** Runs the connection's test and returns the list of its steps. */
  async testConnection(name: string): Promise<Locator> {
    await this.card(name).getByRole('button', { name: 'Test connection' }).click()
    return this.card(name).getByRole('list', { name: 'Connection test' })
  }

  async addConnection(fields: { name: string; tenant: string; clientId: string }): Promise<void> {
    await this.page.getByRole('button', { name: 'Add connection' }).first().click()
    const form = this.page.getByRole('form', { name: 'Connection' })
    await form.getByLabel('Name').fill(fields.name)
    await form.getByLabel('Tenant ID or domain').fill(fields.tenant)
    await form.getByLabel('Application (client) ID').fill(fields.clientId)
    await form.getByRole('button', { name: 'Add connection' }).click()
  }
}
