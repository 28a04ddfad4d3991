import { existsSync } from 'node:fs'
import { type Browser, chromium, type Page } from 'playwright-core'

/** Debian's Chromium; `.ci/run` installs it when it is missing. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Headless Chromium as the project runs it: no sandbox (root in CI), no GPU, and no calls home. */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install it with apt-get install -y chromium`)
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
}

const SCREENSHOTS = new URL('../__screenshots__/', import.meta.url)

/**
 * Takes a screenshot of the page as shown and checks that it holds a picture. The committed
 * files under `__screenshots__` are rewritten only with UPDATE_SCREENSHOTS=1, so that a test run
 * does not leave changed pictures (their times differ on every run) in the work tree.
 */
export async function screenshot(page: Page, name: string): Promise<Buffer> {
  const picture = await page.screenshot({ fullPage: true, animations: 'disabled' })
  if (process.env.UPDATE_SCREENSHOTS === '1') await Bun.write(new URL(`${name}.png`, SCREENSHOTS), picture)
  return picture
}

/** Messages the browser logs when the page's content security policy blocks something. */
export function collectPolicyViolations(page: Page): string[] {
  const violations: string[] = []
  page.on('console', message => {
    if (message.text().includes('Content Security Policy')) violations.push(message.text())
  })
  page.on('pageerror', error => violations.push(`uncaught: ${error.message}`))
  return violations
}
