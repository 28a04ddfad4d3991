import { expect, test } from 'bun:test'
import { statSync, utimesSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { dashboardAssets } from '../../../src/dashboard/bundle'

const styles = fileURLToPath(new URL('../../../src/dashboard/styles.css', import.meta.url))

test('the dashboard is built once, and again after a source changes', async () => {
  const first = await dashboardAssets()
  expect(first.script.type).toBe('text/javascript; charset=utf-8')
  expect(first.styles.etag).toMatch(/^"[0-9a-f]{16}"$/)
  expect(await dashboardAssets()).toBe(first)

  const { atime, mtime } = statSync(styles)
  try {
    utimesSync(styles, atime, new Date(mtime.getTime() - 60_000))
    const rebuilt = await dashboardAssets()
    expect(rebuilt).not.toBe(first)
    expect(rebuilt.styles.etag).toBe(first.styles.etag)
    expect(await dashboardAssets()).toBe(rebuilt)
  } finally {
    utimesSync(styles, atime, mtime)
  }
})
