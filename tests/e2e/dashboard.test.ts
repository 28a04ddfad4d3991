import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import type { Browser, Page } from 'playwright-core'
import { ADMIN_KEY } from '../support/harness'
import { seedSynthetic } from '../support/seed'
import { collectPolicyViolations, launchChromium, screenshot } from './support/browser'
import { type System, startSystem } from './support/system'

// The dashboard in headless Chromium against the real api and worker processes.
const SPECIES = ['oak', 'pine', 'birch', 'beech']
/** 600 trees: enough rows for the preview to page, small enough to analyse at once. */
const TREES_CSV = [
  'species,height,age',
  ...Array.from(
    { length: 600 },
    (_, i) => `${SPECIES[i % 4]},${(10 + ((i * 37) % 250) / 10).toFixed(1)},${20 + (i % 90)}`,
  ),
].join('\n')

// The preload's default reaches only the first test file bun runs, so this file sets its own;
// Playwright gives up sooner, so that a failure names what it waited for.
setDefaultTimeout(30_000)
const ACTION_TIMEOUT_MS = 10_000

let system: System
let browser: Browser
let page: Page
let longDataset: string
let violations: string[]
const eventStreams: string[] = []

beforeAll(async () => {
  // a fixed session secret keeps the browser's session valid across a restart of the api
  system = await startSystem({ SESSION_SECRET: 'e2e-session-secret-0123456789abcdef' }, async databaseUrl => {
    // a million rows: a Spearman correlation of them runs long enough to be cancelled
    longDataset = await seedSynthetic(databaseUrl, 1_000_000)
  })
  browser = await launchChromium()
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } })
  page.setDefaultTimeout(ACTION_TIMEOUT_MS)
  violations = collectPolicyViolations(page)
  page.on('response', response => {
    if (response.headers()['content-type']?.startsWith('text/event-stream'))
      eventStreams.push(new URL(response.url()).pathname)
  })
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await system?.stop()
})

/** Waits until the progress bar that `selector` finds shows more than `value` per cent. */
const progressAbove = (selector: string, value: number) =>
  page.waitForFunction(
    ([selector, value]) => Number(document.querySelector(selector)?.getAttribute('value')) > value,
    [selector, value] as const,
    { timeout: 20_000 },
  )

const heading = (name: string) => page.getByRole('heading', { name, exact: true })
const statusBadge = (status: string) => page.locator('.page-head .badge', { hasText: status })

async function openDataset(id: string): Promise<void> {
  await page.goto(`${system.url}/#/datasets/${id}`)
  await heading('Run an analysis').waitFor()
}

async function runAnalysis(kind: string, fill: () => Promise<void> = async () => {}): Promise<void> {
  await page.getByLabel('Analysis', { exact: true }).selectOption(kind)
  await fill()
  await page.getByRole('button', { name: 'Run analysis' }).click()
}

describe('the dashboard', () => {
  test('is served at / under a strict content security policy', async () => {
    const response = await page.goto(`${system.url}/`)
    expect(response?.status()).toBe(200)
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'")
    await heading('Sign in').waitFor()
    await screenshot(page, 'sign-in')
  })

  test('serves its script built by Bun, revalidated by its ETag', async () => {
    const script = await fetch(`${system.url}/assets/app.js`)
    expect(script.headers.get('content-type')).toStartWith('text/javascript')
    expect(await script.text()).toContain('/api/session')
    const etag = script.headers.get('etag')!
    const again = await fetch(`${system.url}/assets/app.js`, { headers: { 'if-none-match': etag } })
    expect(again.status).toBe(304)
  })

  test('refuses a wrong key and signs in with a right one', async () => {
    await page.getByLabel('API key').fill('not-a-key-of-this-api')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByText('That key was not accepted.').waitFor()
    expect(await page.getByLabel('API key').getAttribute('aria-invalid')).toBe('true')

    // by keyboard alone: the key field has the focus after a failed try, and Enter sends the form
    await page.getByLabel('API key').fill('')
    await page.keyboard.type(ADMIN_KEY)
    await page.keyboard.press('Enter')
    await heading('Datasets').waitFor()
    expect(await page.locator('#account').textContent()).toContain('Sign out')
    // the key went into the cookie session: nothing of it stays in the page's storage or address
    expect(page.url()).not.toContain(ADMIN_KEY)
    expect(await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }))).toBe('{}')
    const cookies = await page.context().cookies()
    expect(cookies.find(c => c.httpOnly)?.sameSite).toBe('Strict')
  })

  test('pages through the datasets, searches them by name, and says when nothing is found', async () => {
    for (let i = 1; i <= 21; i++) {
      const created = await fetch(`${system.url}/api/datasets`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `plot ${String(i).padStart(2, '0')}`, rows: [{ tree: i }] }),
      })
      expect(created.status).toBe(201)
    }
    await page.goto(`${system.url}/#/`)
    await page.getByLabel('Search by name').fill('plot')
    const names = page.locator('table.datasets tbody tr td:first-child')
    await page.getByText('Datasets whose name contains “plot”').waitFor()
    expect(await names.count()).toBe(20)
    expect(await names.first().textContent()).toBe('plot 21')
    await page.getByRole('button', { name: 'Next' }).click()
    await page.getByText('Page 2').waitFor()
    expect(await names.allTextContents()).toEqual(['plot 01'])
    expect(await page.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true)
    await page.getByRole('button', { name: 'Previous' }).click()
    await page.getByText('Page 1').waitFor()
    expect(await names.count()).toBe(20)

    await page.getByLabel('Search by name').fill('no such plot')
    await page.getByText('No dataset’s name contains “no such plot”.').waitFor()
    await page.getByLabel('Search by name').fill('')
    await page.getByText('Page 1').waitFor()

    await page.goto(`${system.url}/#/datasets/00000000-0000-4000-8000-000000000000`)
    await heading('Dataset not found').waitFor()
    await page.goto(`${system.url}/#/tasks/00000000-0000-4000-8000-000000000000`)
    await heading('Analysis not found').waitFor()
    await page.getByRole('link', { name: '← All datasets' }).click()
    await heading('Datasets').waitFor()
  })

  test('takes a file dropped on the upload panel', async () => {
    const files = await page.evaluateHandle(() => {
      const transfer = new DataTransfer()
      transfer.items.add(new File(['a,b\n1,2\n'], 'dropped.csv', { type: 'text/csv' }))
      return transfer
    })
    await page.dispatchEvent('.drop-zone', 'drop', { dataTransfer: files })
    await page.getByText('dropped.csv · 8 B').waitFor()
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('dropped')
  })

  test('uploads a CSV and shows its schema and rows', async () => {
    await page
      .locator('#upload-file')
      .setInputFiles({ name: 'trees.csv', mimeType: 'text/csv', buffer: Buffer.from(TREES_CSV) })
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('trees')
    await screenshot(page, 'datasets')
    // every value the upload's progress bar shows, recorded in the page as it changes
    await page.evaluate(() => {
      const seen: number[] = []
      Object.assign(window, { uploadProgress: seen })
      const bar = document.querySelector('.upload-progress progress')!
      new MutationObserver(() => seen.push(Number(bar.getAttribute('value')))).observe(bar, {
        attributeFilter: ['value'],
      })
    })
    await page.getByRole('button', { name: 'Upload', exact: true }).click()

    await heading('trees').waitFor()
    const progress = await page.evaluate(() => (window as unknown as { uploadProgress: number[] }).uploadProgress)
    expect(progress.at(-1)).toBe(100)
    expect(progress).toEqual(progress.toSorted((a, b) => a - b))
    expect(await page.locator('.figures').first().textContent()).toContain('Rows600')
    expect(await page.locator('table.schema tbody td').allTextContents()).toEqual([
      'species',
      'string',
      'no',
      'height',
      'number',
      'no',
      'age',
      'integer',
      'no',
    ])
    await page.getByText('Rows 1–25 of 600').waitFor()
    expect(await page.locator('table.rows tbody tr').first().locator('td').allTextContents()).toEqual([
      '1',
      'oak',
      '10',
      '20',
    ])
    await page.getByRole('button', { name: 'Next rows' }).click()
    await page.getByText('Rows 26–50 of 600').waitFor()
    await screenshot(page, 'dataset')
  })

  test('labels every control', async () => {
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLInputElement | HTMLSelectElement>('main input, main select')]
        .filter(control => control.labels?.length === 0 && !control.getAttribute('aria-label'))
        .map(control => control.outerHTML),
    )
    expect(unlabelled).toEqual([])
  })

  test('runs a profile: the bar reaches 100 % through the event stream, and each numeric column gets a histogram', async () => {
    await runAnalysis('profile')
    await heading('Profile analysis').waitFor()
    await statusBadge('completed').waitFor()
    await page.locator('.live progress[value="100"]').waitFor()
    expect(await page.locator('.live .progress-text').textContent()).toBe('100 %')
    const taskId = page.url().split('/').at(-1)!
    expect(eventStreams).toContain(`/api/tasks/${taskId}/events`)

    const profile = page.locator('.profile-result tbody tr')
    expect(await profile.count()).toBe(3)
    for (const column of ['height', 'age']) {
      const sparkline = page.getByRole('img', { name: `Distribution of ${column}` })
      await sparkline.waitFor()
      expect(await sparkline.locator('rect').count()).toBe(20)
    }
    expect(await profile.first().textContent()).toContain('oak (150)')

    const download = page.waitForEvent('download')
    await page.getByRole('button', { name: 'Download JSON' }).click()
    const saved = JSON.parse(await Bun.file((await (await download).path())!).text())
    expect(saved.row_count).toBe(600)
    await screenshot(page, 'profile')
  })

  test('draws a histogram with one bar per bin', async () => {
    await page.getByRole('link', { name: '← trees' }).click()
    await runAnalysis('histogram', async () => {
      await page.getByLabel('Column', { exact: true }).selectOption('height')
      await page.getByLabel('Bins').fill('12')
    })
    await statusBadge('completed').waitFor()
    const chart = page.getByRole('img', { name: 'Histogram of height' })
    await chart.waitFor()
    expect(await chart.locator('rect.bar').count()).toBe(12)
    expect(await page.locator('.histogram-result p').textContent()).toBe('600 values of height in 12 bins.')
    await screenshot(page, 'histogram')
  })

  test('draws group-by, regression and outliers results', async () => {
    await page.getByRole('link', { name: '← trees' }).click()
    await runAnalysis('groupby', async () => {
      await page.getByLabel('species (string)').check()
      await page.getByRole('button', { name: 'Add aggregation' }).click()
      await page.getByLabel('Function 2').selectOption('count')
      await page.getByLabel('Column 2').selectOption('age')
    })
    await statusBadge('completed').waitFor()
    const groups = page.locator('.groupby-result table')
    expect(await groups.locator('thead th').allTextContents()).toEqual(['species', 'mean_height', 'count_age'])
    expect(await groups.locator('tbody td:first-child').allTextContents()).toEqual(['beech', 'birch', 'oak', 'pine'])
    expect(await groups.locator('tbody td:last-child').allTextContents()).toEqual(['150', '150', '150', '150'])

    await page.getByRole('link', { name: '← trees' }).click()
    await runAnalysis('regression', async () => {
      await page.getByLabel('Target').selectOption('height')
      await page.getByLabel('age (integer)').check()
    })
    await statusBadge('completed').waitFor()
    expect(await page.locator('.regression-result .figures').textContent()).toContain('Rows used600')
    expect(await page.locator('.regression-result tbody td:first-child').allTextContents()).toEqual(['age'])
    expect(await page.getByRole('meter', { name: 'R squared' }).count()).toBe(1)

    await page.getByRole('link', { name: '← trees' }).click()
    await runAnalysis('outliers', async () => {
      await page.getByLabel('Column', { exact: true }).selectOption('height')
      await page.getByLabel('Method').selectOption('zscore')
      await page.getByLabel('Threshold').fill('1')
    })
    await statusBadge('completed').waitFor()
    const chart = page.getByRole('img', { name: 'Bounds of height and sample outliers' })
    await chart.waitFor()
    expect(await chart.locator('circle.outlier').count()).toBe(20)
    expect(await page.locator('.outliers-result tbody tr').count()).toBe(20)
    await screenshot(page, 'outliers')
  })

  test('shows the API’s validation errors next to the fields they are about', async () => {
    await page.getByRole('link', { name: '← trees' }).click()
    await heading('Run an analysis').waitFor()
    await runAnalysis('regression', async () => {
      await page.getByLabel('Target').selectOption('height')
      await page.getByLabel('height (number)').check()
    })
    const features = page.getByRole('group', { name: 'Features' })
    await features.getByText('the target cannot also be a feature').waitFor()
    expect(await page.getByLabel('height (number)').getAttribute('aria-invalid')).toBe('true')
    expect(await page.locator('form.analysis .form-error').textContent()).toContain('Invalid params for regression')

    await page.getByLabel('Analysis', { exact: true }).selectOption('histogram')
    await page.getByLabel('Bins').fill('0')
    await page.getByRole('button', { name: 'Run analysis' }).click()
    await page.getByText('Expected integer to be greater or equal to 1').waitFor()
    expect(await page.getByLabel('Bins').getAttribute('aria-invalid')).toBe('true')
    await screenshot(page, 'invalid-form')
  })

  test('cancels a long analysis and shows it cancelled', async () => {
    await openDataset(longDataset)
    await runAnalysis('correlation', async () => {
      await page.getByLabel('Method').selectOption('spearman')
    })
    await statusBadge('running').waitFor({ timeout: 20_000 })
    await progressAbove('.live progress', 0)
    await page.getByRole('button', { name: 'Cancel' }).click()
    await statusBadge('cancelled').waitFor()
    await heading('Cancelled').waitFor()
    expect(await page.getByRole('button', { name: 'Cancel' }).isVisible()).toBe(false)
    expect(await page.getByRole('button', { name: 'Run again' }).isVisible()).toBe(true)
    await screenshot(page, 'cancelled')
  })

  test('keeps the dataset’s list of analyses current through the dataset’s event stream', async () => {
    await page.getByRole('button', { name: 'Run again' }).click()
    await statusBadge('running').waitFor({ timeout: 20_000 })
    const taskId = page.url().split('/').at(-1)!
    await page.getByRole('link', { name: '← synthetic 1000000' }).click()
    const row = page.locator(`li[data-task-id="${taskId}"]`)
    await progressAbove(`li[data-task-id="${taskId}"] progress`, 0)
    expect(eventStreams).toContain('/api/events')

    // cancelled by another client: the list hears of it without being reloaded
    const cancel = await fetch(`${system.url}/api/tasks/${taskId}/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    })
    expect(cancel.status).toBe(202)
    await row.locator('.badge', { hasText: 'cancelled' }).waitFor()
  })

  test('a task page rides out a restart of the api: its stream reconnects by itself and picks the task up again', async () => {
    await runAnalysis('correlation', async () => {
      await page.getByLabel('Method').selectOption('spearman')
    })
    await statusBadge('running').waitFor({ timeout: 20_000 })
    await page.locator('.connection', { hasText: 'Live' }).waitFor()
    // every state the connection indicator shows from here on, recorded in the page
    await page.evaluate(() => {
      const seen: string[] = []
      Object.assign(window, { connectionStates: seen })
      const indicator = document.querySelector('.connection')!
      new MutationObserver(() => seen.push(indicator.textContent ?? '')).observe(indicator, { childList: true })
    })

    await system.restartApi()
    await statusBadge('completed').waitFor({ timeout: 30_000 })
    const states = await page.evaluate(() => (window as unknown as { connectionStates: string[] }).connectionStates)
    expect(states.slice(0, 2)).toEqual(['Reconnecting…', 'Live'])
    const matrix = page.locator('table.heatmap tbody td.heat')
    expect(await matrix.count()).toBe(81)
    expect(await matrix.first().textContent()).toBe('1.00')
  }, 45_000)

  test('gives an empty dataset its data; a bad file changes nothing and says where it is wrong', async () => {
    const created = await fetch(`${system.url}/api/datasets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'empty plot' }),
    })
    const { id } = (await created.json()) as { id: string }
    await page.goto(`${system.url}/#/datasets/${id}`)
    await heading('Add data').waitFor()
    await page.getByText('This dataset has no data yet.').waitFor()

    const file = (name: string, text: string) => ({ name, mimeType: '', buffer: Buffer.from(text) })
    await page.locator('#replace-file').setInputFiles(file('ragged.csv', 'a,b\n1,2\n3\n'))
    await page.getByRole('button', { name: 'Upload data' }).click()
    await page.getByText('line 3: expected 2 fields, found 1').waitFor()
    expect(await page.getByText('This dataset has no data yet.').isVisible()).toBe(true)

    await page.locator('#replace-file').setInputFiles(file('plot.ndjson', '{"x":1}\n{"x":2}\n{"x":3}\n'))
    await page.getByRole('button', { name: 'Upload data' }).click()
    await heading('Run an analysis').waitFor()
    await page.getByText('Rows 1–3 of 3').waitFor()
    expect(await page.locator('table.schema tbody td').allTextContents()).toEqual(['x', 'integer', 'no'])
    await heading('Replace the data').waitFor()
  })

  test('renames the dataset, and deletes it after a confirmation', async () => {
    await page.goto(`${system.url}/#/`)
    await page.getByRole('link', { name: 'trees' }).click()
    await heading('trees').waitFor()
    await page.getByLabel('Name', { exact: true }).fill('old trees')
    await page.getByRole('button', { name: 'Save' }).click()
    await heading('old trees').waitFor()

    await page.getByRole('button', { name: 'Delete dataset' }).click()
    const dialog = page.getByRole('dialog', { name: 'Delete “old trees”?' })
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    await dialog.waitFor({ state: 'detached' })
    await heading('old trees').waitFor()

    await page.getByRole('button', { name: 'Delete dataset' }).click()
    await dialog.getByRole('button', { name: 'Delete' }).click()
    await heading('Datasets').waitFor()
    await page.getByLabel('Search by name').fill('trees')
    await page.getByText('No dataset’s name contains “trees”.').waitFor()
  })

  test('shows columns named like object internals in the rows and in results', async () => {
    // written as text, so that __proto__ is a key, not a prototype
    const rows = [
      [1, 2, 'a', 10],
      [2, 3, 'b', 17],
      [1, 5, 'a', 31],
    ].map(([p, c, t, h]) => `{"__proto__":${p},"constructor":${c},"toString":"${t}","hasOwnProperty":${h}}`)
    const call = async (path: string, body: string) =>
      (
        await fetch(`${system.url}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
          body,
        })
      ).json()
    const dataset = await call('/api/datasets', `{"name":"internals","rows":[${rows.join(',')}]}`)
    await openDataset(dataset.id)
    const table = page.locator('table.rows')
    await page.getByText('Rows 1–3 of 3').waitFor()
    expect(await table.locator('thead th').allTextContents()).toEqual([
      '#',
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
    ])
    expect(await table.locator('tbody tr').first().locator('td').allTextContents()).toEqual(['1', '1', '2', 'a', '10'])

    const groupby = await call(
      `/api/datasets/${dataset.id}/process`,
      JSON.stringify({
        kind: 'groupby',
        params: { by: ['__proto__', 'toString'], aggregations: [{ column: 'hasOwnProperty', fn: 'sum' }] },
      }),
    )
    await page.goto(`${system.url}/#/tasks/${groupby.id}`)
    await statusBadge('completed').waitFor()
    const groups = page.locator('.groupby-result table')
    expect(await groups.locator('thead th').allTextContents()).toEqual(['__proto__', 'toString', 'sum_hasOwnProperty'])
    expect(await groups.locator('tbody tr').first().locator('td').allTextContents()).toEqual(['1', 'a', '41'])

    const regression = await call(
      `/api/datasets/${dataset.id}/process`,
      JSON.stringify({ kind: 'regression', params: { target: 'hasOwnProperty', features: ['constructor'] } }),
    )
    await page.goto(`${system.url}/#/tasks/${regression.id}`)
    await statusBadge('completed').waitFor()
    expect(await page.locator('.regression-result tbody td').allTextContents()).toEqual(['constructor', '7'])
  })

  test('fits a 375 px wide screen', async () => {
    await page.setViewportSize({ width: 375, height: 800 })
    await openDataset(longDataset)
    await page.getByText('Rows 1–25 of 1,000,000').waitFor()
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    )
    expect(overflow).toBe(0)
    await screenshot(page, 'dataset-phone')
  })

  test('broke no rule of the content security policy', () => {
    expect(violations).toEqual([])
  })
})
