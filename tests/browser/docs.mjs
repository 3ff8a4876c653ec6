// Swagger UI in a real browser: opens /docs, expands GET /v1/quotes, clicks "Try it out"
// then "Execute", and expects a 200 with a JSON page of quotes in the response panel.
// Keeps a screenshot (target/artifacts/docs.png, or the path in DOCS_SCREENSHOT).
//
//   node tests/browser/docs.mjs http://127.0.0.1:8080   (tests/browser/run.sh starts a server)
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { chromium } from 'playwright-core';

const base = process.argv[2] ?? 'http://127.0.0.1:8080';
const screenshot = process.env.DOCS_SCREENSHOT ?? 'target/artifacts/docs.png';
const timeout = 30_000;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  // No sandbox as root; no background connections, which this network refuses.
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});
let failure = null;
const page = await browser.newPage({ viewport: { width: 1280, height: 1800 } });
try {
  const consoleErrors = [];
  page.on('pageerror', (error) => consoleErrors.push(String(error)));
  await page.goto(`${base}/docs`, { timeout });

  const operation = page.locator('.opblock.opblock-get', {
    has: page.locator('.opblock-summary-path[data-path="/v1/quotes"]'),
  });
  await operation.waitFor({ timeout });
  await operation.locator('.opblock-summary').first().click();
  // The UI is configured with "Try it out" already on; click it when it is offered.
  const tryOut = operation.locator('button.try-out__btn');
  await tryOut.waitFor({ timeout });
  if ((await tryOut.innerText()).trim() === 'Try it out') await tryOut.click({ timeout });
  await operation.locator('button.try-out__btn', { hasText: 'Cancel' }).waitFor({ timeout });
  // The form comes filled with the document's examples, which name an article and an
  // entity this database does not hold: clear those so that the page has quotes.
  for (const name of ['article', 'about', 'speaker', 'q', 'published_after', 'published_before']) {
    const input = operation.locator(`tr[data-param-name="${name}"] input`);
    if (await input.count()) await input.fill('');
  }
  await operation.locator('button.execute', { hasText: 'Execute' }).click({ timeout });

  const response = operation.locator('.live-responses-table .response').first();
  await response.waitFor({ timeout });
  const status = (await response.locator('.response-col_status').innerText()).trim();
  const body = await response.locator('.response-col_description pre').first().innerText();
  await operation.scrollIntoViewIfNeeded();
  if (status !== '200') throw new Error(`GET /v1/quotes answered ${status} in Swagger UI: ${body}`);
  const json = JSON.parse(body);
  if (!Array.isArray(json.data) || json.data.length === 0) {
    throw new Error(`expected a page of quotes, got: ${body.slice(0, 500)}`);
  }
  if (consoleErrors.length) throw new Error(`page errors: ${consoleErrors.join('; ')}`);
  console.log(`docs: GET /v1/quotes in Swagger UI answered 200 with ${json.data.length} quotes`);
} catch (error) {
  failure = error;
} finally {
  mkdirSync(dirname(screenshot), { recursive: true });
  await page.screenshot({ path: screenshot, fullPage: false }).catch(() => {});
  await browser.close();
}
console.log(`docs: screenshot in ${screenshot}`);
if (failure) {
  console.error(`docs: FAILED: ${failure.message ?? failure}`);
  process.exit(1);
}
