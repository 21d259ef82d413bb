import { join } from 'node:path'

import { request } from '@playwright/test'

import { expect, test } from '../fixtures/app'
import { ExplorerPage } from '../pages/explorer-page'
import { SyncPage } from '../pages/sync-page'

// The demo emulator's /_test surface tells what its fake workspace holds (only the browser
// shell's test-only entry point opens it).
test.use({ demoTestHooks: true })

test('Send to… the demo Log Analytics workspace: exactly the view’s records arrive through the rule, and a resend adds nothing', async ({
  app
}, testInfo) => {
  test.skip(app.launcher !== 'web', 'reads the in-process demo emulator of the browser shell')
  // Waits are on the app's state; this limit is only the backstop for a hang on a loaded box.
  test.setTimeout(20 * 60_000)
  const explorer = new ExplorerPage(app.page)
  const sync = new SyncPage(app.page)
  await explorer.emptyState.waitFor()
  expect(await sync.startDemo()).toMatch(/^(complete|partial)$/)

  // The cache fully indexed, then a view: connection permission changes only.
  const shown = await explorer.narrowByQuickSearch('Operation:PutConnectionPermission')
  expect(shown).toBeGreaterThan(0)
  await expect(explorer.rows.first()).toContainText('Connection permission added or edited')

  await app.page.getByRole('button', { name: 'Send to…' }).click()
  const panel = app.page.getByRole('dialog', { name: 'Send to' })
  await panel
    .getByRole('combobox', { name: 'Destination' })
    .selectOption({ label: 'Demo Log Analytics (Contoso Sentinel)' })
  const target = panel.getByTestId('send-target')
  await expect(target).toContainText('PowerPlatformAudit_CL')
  await expect(target).toContainText(/dcr-[0-9a-f]{32}/)
  const endpoint = (await target.getAttribute('data-endpoint')) ?? ''
  expect(endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/ingest$/)
  await expect(
    panel.getByText(`This view (${shown.toLocaleString('en-US')} records)`)
  ).toBeVisible()
  await panel.getByRole('button', { name: 'Send', exact: true }).click()

  const summary = panel.getByTestId('send-summary')
  await expect(summary).toBeVisible({ timeout: 10 * 60_000 })
  await expect(summary).toHaveAttribute('data-status', 'complete')
  await expect(summary).toHaveAttribute('data-sent', String(shown))
  await expect(summary).toHaveAttribute('data-already-there', '0')
  await expect(summary).toHaveAttribute('data-failed', '0')

  const emulator = await request.newContext({ ignoreHTTPSErrors: true })
  const origin = new URL(endpoint).origin
  const table = async (): Promise<{
    rows: number
    ids: string[]
    values: Record<string, number>
  }> => {
    const res = await emulator.get(
      `${origin}/_test/logs/table?table=PowerPlatformAudit_CL&idColumn=UalId&column=Operation`
    )
    expect(res.ok()).toBe(true)
    return (await res.json()) as { rows: number; ids: string[]; values: Record<string, number> }
  }
  try {
    // The workspace table holds exactly the view: as many rows as it shows, each Id once, all
    // of them permission changes, every Id one the demo tenant really produced.
    const first = await table()
    expect(first.rows).toBe(shown)
    expect(first.ids).toHaveLength(shown)
    expect(first.values).toEqual({ PutConnectionPermission: shown })
    const now = Date.now()
    const truth = await emulator.get(
      `${origin}/_test/ground-truth?start=${new Date(now - 30 * 86_400_000).toISOString()}&end=${new Date(now + 86_400_000).toISOString()}`
    )
    expect(truth.ok()).toBe(true)
    const tenantIds = new Set(((await truth.json()) as { ids: string[] }).ids)
    expect(first.ids.filter((id) => !tenantIds.has(id))).toEqual([])

    // Sent again: the journal shows every part counted back, nothing is sent, nothing doubled.
    await panel.getByRole('button', { name: 'Send', exact: true }).click()
    await expect(summary).toHaveAttribute('data-already-there', String(shown), {
      timeout: 10 * 60_000
    })
    await expect(summary).toHaveAttribute('data-sent', '0')
    await expect(summary).toHaveAttribute('data-status', 'complete')
    await expect(summary).toContainText('already there')
    await app.page.screenshot({ path: join(testInfo.outputDir, 'send-to-loganalytics.png') })
    const second = await table()
    expect(second.rows).toBe(shown)
    expect(new Set(second.ids).size).toBe(shown)
  } finally {
    await emulator.dispose()
  }
})
