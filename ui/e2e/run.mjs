// End-to-end test of the web UI in Debian's headless Chromium, driven by playwright-core (no browser download).
//
//   node e2e/run.mjs <baseUrl>
//
// Environment: E2E_USER (default admin), E2E_PASSWORD (required), E2E_TARGET (an http:// URL the server's agents
// may probe, e.g. a loopback test server), E2E_SCREENSHOTS (folder for the PNGs; default target/e2e-screenshots),
// CHROMIUM (default /usr/bin/chromium). Exits 0 when every step passed.
import { chromium } from 'playwright-core'
import { existsSync, mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'

const base = (process.argv[2] ?? '').replace(/\/$/, '')
const user = process.env.E2E_USER ?? 'admin'
const password = process.env.E2E_PASSWORD
const target = process.env.E2E_TARGET
const shots = resolve(process.env.E2E_SCREENSHOTS ?? 'target/e2e-screenshots')
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium'
if (!base || !password || !target) {
  console.error('usage: E2E_PASSWORD=... E2E_TARGET=http://127.0.0.1:PORT/ node e2e/run.mjs http://127.0.0.1:8080')
  process.exit(2)
}
if (!existsSync(executablePath)) {
  console.error(`${executablePath} is missing: install Debian's Chromium with  apt-get update && apt-get install -y chromium`)
  process.exit(3)
}
mkdirSync(shots, { recursive: true })

let passed = 0
let failed = 0
const problems = []

async function step(name, fn) {
  const started = Date.now()
  try {
    await fn()
    passed++
    console.log(`ok   ${name} (${Date.now() - started} ms)`)
  } catch (e) {
    failed++
    console.log(`FAIL ${name}: ${e?.stack ?? e}`)
    throw e
  }
}

/** REST call as the admin, for set-up the UI test does not cover (placing the local agent on the map). */
async function rest(method, path, body, token) {
  const r = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  })
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`)
  return r.status === 204 ? null : r.json()
}

async function waitFor(what, fn, timeoutMs = 30000) {
  const end = Date.now() + timeoutMs
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

/** Picks an option of an Element Plus select inside `scope`. */
async function choose(page, scope, optionText) {
  await page.locator(`${scope} .el-select`).first().click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: optionText }).first().click()
}

const browser = await chromium.launch({
  executablePath,
  headless: true,
  // Playwright starts Chromium with a new empty profile of its own; these keep it off the (closed) network
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
})
const pageErrors = []
const outside = []

async function newPage(options) {
  const context = await browser.newContext(options)
  const page = await context.newPage()
  page.setDefaultTimeout(20000)
  page.on('pageerror', (e) => pageErrors.push(String(e)))
  page.on('request', (r) => {
    const u = new URL(r.url())
    if (!['data:', 'blob:'].includes(u.protocol) && u.origin !== new URL(base).origin) outside.push(r.url())
  })
  return { context, page }
}

const taskId = `e2e-http-${Date.now()}`
let exitCode = 1
try {
  const { accessToken } = await rest('POST', '/api/v1/auth/login', { username: user, password })
  const agents = await waitFor('an online agent', async () => {
    const list = await rest('GET', '/api/v1/agents', null, accessToken)
    return list.some((a) => a.online) ? list : null
  })
  const local = agents.find((a) => a.online)
  await rest('PUT', `/api/v1/agents/${local.id}/labels`, { labels: { ...local.labels, country: 'CN', province: 'Beijing', city: 'Beijing' } }, accessToken)

  const { context, page } = await newPage({ viewport: { width: 1366, height: 900 }, locale: 'en-US' })

  await step('log in', async () => {
    await page.goto(base + '/')
    await page.waitForURL(/\/login/)
    await page.screenshot({ path: join(shots, '01-login.png') })
    await page.getByTestId('username').fill(user)
    await page.getByTestId('password').fill(password)
    await page.getByTestId('login-submit').click()
    await page.getByTestId('page-overview').waitFor()
    await waitFor('agents online', async () => (await page.getByTestId('agents-online').textContent())?.startsWith('1'))
    await page.screenshot({ path: join(shots, '02-overview.png') })
  })

  await step('create an HTTP task; the API error shows on its field, then the first result arrives live', async () => {
    await page.goto(base + '/tasks')
    await page.getByTestId('new-task').click()
    const form = page.getByTestId('task-form')
    await form.waitFor()
    await choose(page, '[data-testid="field-type"]', '(http)')
    await page.getByTestId('field-id').locator('input').fill(taskId)
    await page.getByTestId('field-name').locator('input').fill('E2E local web')
    await page.getByTestId('field-target').locator('input').fill(target)
    await page.getByTestId('field-interval').locator('input').fill('1ms') // below the engine's 10ms minimum
    await page.getByTestId('task-save').click()
    await page.getByTestId('field-interval').locator('.el-form-item__error').waitFor()
    await page.screenshot({ path: join(shots, '03-task-form-error.png') })
    await page.getByTestId('field-interval').locator('input').fill('2s')
    await page.getByTestId('task-save').click()
    await form.waitFor({ state: 'detached' })
    const link = page.locator('.task-link', { hasText: 'E2E local web' })
    await link.waitFor()
    await link.click()
    await page.getByTestId('page-task-detail').waitFor()
    // the table starts empty for a new task; a row appears when /ws/live pushes the first result
    await page.getByTestId('recent-results').locator('.el-tag', { hasText: 'SUCCESS' }).first().waitFor({ timeout: 30000 })
  })

  await step('task detail draws the latency and distribution charts with a phase waterfall', async () => {
    await page.locator('[data-testid="latency-chart"][data-drawn="true"]').waitFor({ timeout: 30000 })
    await page.locator('[data-testid="smoke-chart"][data-drawn="true"]').waitFor()
    await page.getByTestId('waterfall').first().waitFor()
    const rows = await page.getByTestId('per-agent').locator('tbody tr').count()
    if (rows < 1) throw new Error('per-agent table is empty')
    await page.waitForTimeout(300)
    await page.screenshot({ path: join(shots, '04-task-detail.png'), fullPage: true })
  })

  await step('task list shows status and sparkline', async () => {
    await page.goto(base + '/tasks')
    await page.getByTestId(`status-${taskId}`).first().waitFor()
    await page.getByTestId('sparkline').first().waitFor()
    await page.screenshot({ path: join(shots, '05-tasks.png') })
  })

  await step('instant test fills the table live and colors the agent on the map', async () => {
    await page.goto(base + '/instant')
    await page.getByTestId('page-instant').waitFor()
    await choose(page, '[data-testid="page-instant"] .el-form-item:first-child', '(http)')
    await page.getByTestId('instant-target').fill(target)
    await page.getByTestId('instant-run').click()
    await page.getByTestId('instant-table').locator('.el-tag', { hasText: 'SUCCESS' }).first().waitFor({ timeout: 30000 })
    await page.locator('[data-testid="agent-map"] [data-drawn="true"]').waitFor({ timeout: 30000 })
    await page.screenshot({ path: join(shots, '06-instant-world.png'), fullPage: true })
    await page.getByTestId('map-china').click()
    await page.locator('[data-testid="agent-map"] [data-drawn="true"]').waitFor({ timeout: 30000 })
    await page.waitForTimeout(300)
    await page.screenshot({ path: join(shots, '07-instant-china.png'), fullPage: true })
  })

  await step('agents page shows the agent and an enrollment join command', async () => {
    await page.goto(base + '/agents')
    await page.getByTestId('agents-table').locator('.el-tag', { hasText: 'online' }).first().waitFor()
    await page.screenshot({ path: join(shots, '08-agents.png'), fullPage: true })
    await page.getByTestId('new-enroll-token').click()
    await page.getByTestId('create-enroll-token').click()
    const cmd = await page.getByTestId('copy-text').textContent()
    if (!/^java -jar vantage-agent\.jar run --server ws:\/\/[^ ]+\/ws\/agent --enroll-token vet_\S+$/.test(cmd ?? '')) {
      throw new Error(`unexpected join command: ${cmd}`)
    }
    await page.screenshot({ path: join(shots, '09-enrollment.png') })
  })

  await step('users and API tokens pages', async () => {
    await page.goto(base + '/users')
    await page.getByTestId('page-users').locator('tbody tr', { hasText: user }).waitFor()
    await page.screenshot({ path: join(shots, '10-users.png') })
    await page.goto(base + '/tokens')
    await page.getByTestId('page-tokens').waitFor()
    await page.screenshot({ path: join(shots, '11-tokens.png') })
  })

  await step('switch the language to Chinese and back', async () => {
    await page.goto(base + '/')
    await page.getByTestId('lang-button').click()
    await page.getByTestId('lang-zh').click()
    await page.locator('.el-menu-item', { hasText: '任务' }).first().waitFor()
    await page.getByText('在线节点').waitFor()
    await page.reload() // the choice is remembered
    await page.getByText('在线节点').waitFor()
    await page.getByTestId('live-stream').waitFor({ timeout: 30000 })
    await page.screenshot({ path: join(shots, '12-overview-zh.png') })
    await page.getByTestId('lang-button').click()
    await page.getByTestId('lang-en').click()
    await page.getByText('Agents online').waitFor()
  })

  const storage = await context.storageState()
  await context.close()

  await step('phone-sized viewport: no sideways scrolling, menu in a drawer', async () => {
    const phone = await newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2, storageState: storage })
    const p = phone.page
    for (const [path, testid, file] of [['/', 'page-overview', '13-phone-overview.png'], ['/tasks', 'page-tasks', '14-phone-tasks.png'],
      [`/tasks/${taskId}`, 'page-task-detail', '15-phone-task-detail.png'], ['/instant', 'page-instant', '16-phone-instant.png']]) {
      await p.goto(base + path)
      await p.getByTestId(testid).waitFor()
      await p.waitForTimeout(500)
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
      if (overflow > 1) throw new Error(`${path} scrolls sideways by ${overflow}px on a phone`)
      await p.screenshot({ path: join(shots, file), fullPage: true })
    }
    await p.getByTestId('menu-button').click()
    await p.locator('.el-drawer .el-menu-item', { hasText: 'Agents' }).click()
    await p.getByTestId('page-agents').waitFor()
    await phone.context.close()
  })

  await step('no page errors and nothing fetched from outside the server', async () => {
    if (pageErrors.length) throw new Error(`page errors: ${pageErrors.join(' | ')}`)
    if (outside.length) throw new Error(`requests outside the server: ${outside.join(' ')}`)
  })
  exitCode = 0
} catch {
  exitCode = 1
} finally {
  await browser.close()
  console.log(`screenshots: ${shots}`)
  console.log(`e2e: ${passed} passed, ${failed} failed`)
}
process.exit(exitCode)
