import { expect, test } from '../fixtures/app'
import { cachedRecord, seedId, wholeSecond } from '../fixtures/cached-records'
import { ExplorerPage } from '../pages/explorer-page'

const MINUTE = 60_000
/** Who did what where: alex 6 times, bea 4, cyd 2 (so every stack count differs). */
const ROWS: [user: string, operation: string, environment: string][] = [
  ['alex', 'PutConnection', 'env-prod'],
  ['bea', 'DeleteConnection', 'env-prod'],
  ['alex', 'PatchApi', 'env-dev'],
  ['cyd', 'PutConnection', 'env-prod'],
  ['alex', 'PutConnection', 'env-dev'],
  ['bea', 'PatchApi', 'env-dev'],
  ['alex', 'DeleteConnection', 'env-prod'],
  ['bea', 'PutConnection', 'env-prod'],
  ['alex', 'PutConnection', 'env-prod'],
  ['cyd', 'DeleteConnection', 'env-dev'],
  ['alex', 'PatchApi', 'env-prod'],
  ['bea', 'PutConnection', 'env-dev']
]
const ACTIVITY: Record<string, [string, string]> = {
  PutConnection: ['Connection created or edited', 'Connection'],
  DeleteConnection: ['Connection deleted', 'Connection'],
  PatchApi: ['API edited', 'API']
}

/** Twelve connector records in the cache's shape, record i at minute i after a fixed hour. */
function records(): Record<string, unknown>[] {
  const start = Date.now() - 24 * 60 * MINUTE
  return ROWS.map(([user, operation, environment], i) => {
    const createdAtMs = wholeSecond(start + i * MINUTE)
    const id = seedId('7c2e9c0a', i)
    const userId = `${user}@contoso.example`
    // Two addresses per user, so a second sort key has ties to break.
    const clientIp = `198.51.100.${(i % 2) + (user === 'alex' ? 10 : user === 'bea' ? 20 : 30)}`
    const fields: Record<string, string> = {
      Id: id,
      RecordType: '261',
      CreationTime: new Date(createdAtMs).toISOString().slice(0, 19),
      Operation: operation,
      UserId: userId,
      ClientIP: clientIp,
      'AdditionalInfo.EnvironmentName': environment,
      'AdditionalInfo.ResourceId': `conn-${i}`
    }
    return cachedRecord(i, {
      id,
      createdAtMs,
      operation,
      userId,
      userKey: `key-${user}`,
      clientIp,
      activity: ACTIVITY[operation]![0],
      category: ACTIVITY[operation]![1],
      environment,
      resource: `conn-${i}`,
      fields
    })
  })
}

test.beforeEach(async ({ app }) => {
  const explorer = new ExplorerPage(app.page)
  await explorer.seed(records())
  await expect(explorer.status).toContainText('12 of 12 records')
})

test('stacks by one and two columns, sorts the stack, and a click filters the grid and the counts', async ({
  app
}) => {
  const explorer = new ExplorerPage(app.page)
  await explorer.openStack()
  await explorer.stackBy.selectOption({ label: 'User' })
  await expect(explorer.stackSummary).toHaveText('3 distinct in 12 rows')
  expect(await explorer.stackEntries()).toEqual([
    ['alex@contoso.example', '6', '50%'],
    ['bea@contoso.example', '4', '33.3%'],
    ['cyd@contoso.example', '2', '16.7%']
  ])
  // Sorted by count, least first; then by value, descending.
  await explorer.stack.getByRole('button', { name: /^Count/ }).click()
  await expect(explorer.stackRows.first()).toContainText('cyd@contoso.example')
  await explorer.stack.getByRole('button', { name: /^User/ }).click()
  await expect(explorer.stackRows.first()).toContainText('alex@contoso.example')
  await explorer.stack.getByRole('button', { name: /^User/ }).click()
  await expect(explorer.stack.getByRole('columnheader', { name: /^User/ })).toHaveAttribute(
    'aria-sort',
    'descending'
  )
  await expect
    .poll(async () => (await explorer.stackEntries()).map((e) => e[0]))
    .toEqual(['cyd@contoso.example', 'bea@contoso.example', 'alex@contoso.example'])

  // Click to filter: the grid and every count follow.
  await explorer.stackRows.filter({ hasText: 'bea@contoso.example' }).click()
  await expect(explorer.status).toContainText('4 of 12 records')
  await expect(explorer.rows).toHaveCount(4)
  expect(new Set(await explorer.columnTexts('userId'))).toEqual(new Set(['bea@contoso.example']))
  await expect(explorer.stackSummary).toHaveText('1 distinct in 4 rows')

  // Two columns: bea's rows by environment and operation.
  await explorer.stackBy.selectOption({ label: 'Environment' })
  await explorer.stack
    .getByRole('combobox', { name: 'Then by' })
    .selectOption({ label: 'Operation' })
  await expect(explorer.stackSummary).toHaveText('4 distinct in 4 rows')
  await explorer.stackRows.filter({ hasText: 'DeleteConnection' }).click()
  await expect(explorer.status).toContainText('1 of 12 records')
  await expect(explorer.rows).toHaveCount(1)
  await expect(explorer.rows.first().locator('[col-id="userId"]')).toHaveText('bea@contoso.example')
})

test('find narrows the stack; stacks by the date by hour, and a click filters the grid to that hour', async ({
  app
}) => {
  const explorer = new ExplorerPage(app.page)
  // The hours the grid shows (UTC), counted the way an analyst would by hand, once its rows are in.
  await expect
    .poll(async () => (await explorer.columnTexts('createdAt')).filter((t) => t !== '').length)
    .toBe(12)
  const expected = new Map<string, number>()
  for (const time of await explorer.columnTexts('createdAt')) {
    const hour = `${time.slice(0, 13)}:00`
    expected.set(hour, (expected.get(hour) ?? 0) + 1)
  }
  await explorer.openStack()
  // Find within the stack: only the entries holding the text, and the summary says so.
  await explorer.stackBy.selectOption({ label: 'User' })
  await explorer.stack.getByRole('searchbox', { name: 'Find in stack' }).fill('BEA')
  await expect(explorer.stackSummary).toContainText('containing "BEA"')
  await expect
    .poll(async () => (await explorer.stackEntries()).map((e) => e[0]))
    .toEqual(['bea@contoso.example'])
  await explorer.stack.getByRole('searchbox', { name: 'Find in stack' }).fill('')
  await expect(explorer.stackSummary).toHaveText('3 distinct in 12 rows')

  await explorer.stackBy.selectOption({ label: 'Date by hour' })
  await explorer.stack.getByRole('button', { name: /^Date by hour/ }).click()
  await expect
    .poll(async () => (await explorer.stackEntries()).map((e) => [e[0], e[1]]))
    .toEqual([...expected].sort().map(([hour, n]) => [hour, String(n)]))
  const [firstHour, firstCount] = [...expected].sort()[0]!
  await explorer.stackRows.filter({ hasText: firstHour }).click()
  await expect(explorer.status).toContainText(`${firstCount} of 12 records`)
  await expect(explorer.rows).toHaveCount(firstCount)
  for (const time of await explorer.columnTexts('createdAt')) {
    expect(`${time.slice(0, 13)}:00`).toBe(firstHour)
  }
})

test('search syntax filters or highlights, counts shown / total, and explains errors inline', async ({
  app
}) => {
  const explorer = new ExplorerPage(app.page)
  await explorer.quickSearch.fill('User:bea -Operation:PatchApi')
  await expect(explorer.status).toHaveText('3 of 12 records')
  await explorer.quickSearch.fill('"cyd@contoso.example" OR User:bea')
  await expect(explorer.status).toHaveText('6 of 12 records')
  await expect(explorer.rows).toHaveCount(6)

  // Not silently ignored: the reason, inline; the grid keeps the last valid search.
  await explorer.quickSearch.fill('User:"bea')
  await expect(explorer.searchError).toContainText('unterminated quoted phrase')
  await expect(explorer.quickSearch).toHaveAttribute('aria-invalid', 'true')
  await expect(explorer.status).toHaveText('6 of 12 records')
  await explorer.quickSearch.fill('Nope:x')
  await expect(explorer.searchError).toContainText('no column "Nope"')
  await explorer.quickSearch.fill('Operation:Delete')
  await expect(explorer.searchError).toBeHidden()
  await expect(explorer.status).toHaveText('3 of 12 records')

  // Highlight: every row stays, the matching ones are marked and counted.
  await app.page
    .getByRole('group', { name: 'Search mode' })
    .getByRole('button', { name: 'Highlight' })
    .click()
  await expect(explorer.status).toHaveText('3 highlighted · 12 of 12 records')
  await expect(explorer.rows).toHaveCount(12)
  await expect.poll(() => explorer.rowsWithClass('row-search-hit')).toBe(3)
  await app.page
    .getByRole('group', { name: 'Search mode' })
    .getByRole('button', { name: 'Filter' })
    .click()
  await expect(explorer.status).toHaveText('3 of 12 records')
  await expect.poll(() => explorer.rowsWithClass('row-search-hit')).toBe(0)
})

test('shift-click sorts by several columns, executed over all rows by the worker', async ({
  app
}) => {
  const explorer = new ExplorerPage(app.page)
  await explorer.sortBy('userId')
  await explorer.sortBy('clientIp', { isAdded: true })
  await explorer.sortBy('clientIp', { isAdded: true })
  await expect(explorer.grid.locator('.ag-header-cell[col-id="clientIp"]')).toHaveAttribute(
    'aria-sort',
    'descending'
  )
  const expected = records()
    .map(
      (r) => [r['userId'] as string, r['clientIp'] as string, r['createdAtMs'] as number] as const
    )
    .sort((a, b) => a[0].localeCompare(b[0]) || b[1].localeCompare(a[1]) || a[2] - b[2])
  await expect
    .poll(async () => [
      await explorer.columnTexts('userId'),
      await explorer.columnTexts('clientIp')
    ])
    .toEqual([expected.map((e) => e[0]), expected.map((e) => e[1])])
})

test('colour rules and pinned columns are saved with a view; d and Escape move between grid and details', async ({
  app
}) => {
  const explorer = new ExplorerPage(app.page)
  await explorer.addColourRule('Operation:Delete', 'red')
  await expect.poll(() => explorer.rowsWithClass('row-colour-red')).toBe(3)
  await explorer.addColourRule('Nope:x', 'blue')
  await expect(
    app.page.getByRole('dialog', { name: 'Colour rules' }).getByRole('alert')
  ).toContainText('no column "Nope"')
  await app.page
    .getByRole('dialog', { name: 'Colour rules' })
    .getByRole('button', { name: 'Done' })
    .click()
  await explorer.pin('User', 'left')
  await expect(
    explorer.grid.locator('.ag-grid-pinned-left-cells .ag-header-cell[col-id="userId"]')
  ).toBeVisible()
  await explorer.saveFilterAs('Deletions in red')
  await expect(
    app.page.getByRole('status').filter({ hasText: 'Saved "Deletions in red".' })
  ).toBeVisible()

  await app.reload()
  await explorer.savedFilter.selectOption({ label: 'Connector activity' })
  await explorer.pin('User', null)
  await expect(
    explorer.grid.locator('.ag-grid-pinned-left-cells .ag-header-cell[col-id="userId"]')
  ).toHaveCount(0)
  await expect.poll(() => explorer.rowsWithClass('row-colour-red')).toBe(0)
  await explorer.savedFilter.selectOption({ label: 'Deletions in red' })
  await expect.poll(() => explorer.rowsWithClass('row-colour-red')).toBe(3)
  await expect(
    explorer.grid.locator('.ag-grid-pinned-left-cells .ag-header-cell[col-id="userId"]')
  ).toBeVisible()

  // Keyboard: select a row, move into the details pane, follow the selection there, come back.
  await explorer.rows.first().locator('[col-id="clientIp"]').click()
  await expect(explorer.rawRecord).toContainText('"Id": "7c2e9c0a-0000-4000-8000-000000000011"')
  await app.page.keyboard.press('d')
  await expect(explorer.details).toBeFocused()
  await app.page.keyboard.press('ArrowDown')
  await expect(explorer.rawRecord).toContainText('"Id": "7c2e9c0a-0000-4000-8000-000000000010"')
  await expect(explorer.details).toBeFocused()
  await app.page.keyboard.press('Escape')
  await expect(explorer.grid.locator('.ag-cell-focus')).toBeFocused()
  await app.page.keyboard.press('ArrowDown')
  await expect(explorer.rawRecord).toContainText('"Id": "7c2e9c0a-0000-4000-8000-000000000009"')
  // The grid keeps the focus: the new details pane does not take it.
  await expect(explorer.grid.locator('.ag-cell-focus')).toBeFocused()
})

test('grid rows carry only the shown columns: rules on hidden fields still colour, a column shown gets its values', async ({
  app
}) => {
  const explorer = new ExplorerPage(app.page)
  await expect.poll(async () => (await explorer.columnTexts('userId')).length).toBe(12)
  // Neither the field nor the operation is shown: the worker colours by them all the same.
  await explorer.addColourRule('AdditionalInfo.ResourceId:conn-3', 'green')
  await explorer.addColourRule('Operation:Delete', 'red')
  await app.page
    .getByRole('dialog', { name: 'Colour rules' })
    .getByRole('button', { name: 'Done' })
    .click()
  await expect.poll(() => explorer.rowsWithClass('row-colour-green')).toBe(1)
  await expect.poll(() => explorer.rowsWithClass('row-colour-red')).toBe(3)
  await expect(explorer.rows.locator('[col-id="f:AdditionalInfo.ResourceId"]')).toHaveCount(0)

  // Shown later, a field column and a core column show every row's value (fetched again).
  await explorer.showColumn('AdditionalInfo.ResourceId')
  await explorer.showColumn('Environment')
  await expect
    .poll(async () => new Set(await explorer.columnTexts('f:AdditionalInfo.ResourceId')))
    .toEqual(new Set(ROWS.map((_, i) => `conn-${i}`)))
  await expect
    .poll(async () => (await explorer.columnTexts('environment')).sort())
    .toEqual(ROWS.map(([, , environment]) => environment).sort())
  await expect.poll(() => explorer.rowsWithClass('row-colour-green')).toBe(1)
})

test('a resized column keeps its width when the columns change and after a reload', async ({
  app
}) => {
  const explorer = new ExplorerPage(app.page)
  await expect.poll(async () => (await explorer.columnTexts('userId')).length).toBe(12)
  const header = app.page.locator('.ag-header-cell[col-id="userId"]')
  const widthOf = async (): Promise<number> => Math.round((await header.boundingBox())!.width)
  const before = await widthOf()
  // Drag the header's right edge 120 px to the right, as a user widens a column.
  const handle = header.locator('.ag-header-cell-resize')
  const box = (await handle.boundingBox())!
  await app.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
  await app.page.mouse.down()
  await app.page.mouse.move(box.x + box.width / 2 + 60, box.y + box.height / 2, { steps: 4 })
  await app.page.mouse.move(box.x + box.width / 2 + 120, box.y + box.height / 2, { steps: 4 })
  await app.page.mouse.up()
  await expect.poll(widthOf).toBeGreaterThanOrEqual(before + 110)
  const resized = await widthOf()

  // The column definitions are made again when a column is shown: the width stays.
  await explorer.showColumn('Environment')
  await expect.poll(async () => (await explorer.columnTexts('environment')).length).toBe(12)
  expect(Math.abs((await widthOf()) - resized)).toBeLessThanOrEqual(1)

  // The layout is saved: a reload opens the grid with the same width.
  await app.page.reload()
  await expect.poll(async () => (await explorer.columnTexts('userId')).length).toBe(12)
  await expect.poll(async () => Math.abs((await widthOf()) - resized)).toBeLessThanOrEqual(1)
})
