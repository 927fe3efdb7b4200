// Stroke latency of the grid editor (run by `wangge bench-editor`, which prepares the data and the server).
// Usage: node bench/editor_strokes.mjs <base-url> <fixture-json>. Prints progress, then one JSON line of results.
import { chromium } from '../web/node_modules/playwright-core/index.mjs';

const [base, fixtureJson] = process.argv.slice(2);
const fx = JSON.parse(fixtureJson);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
page.on('pageerror', (e) => { console.error('page error', e.message); process.exit(1); });
await page.goto(base + '/');
await page.waitForFunction(() => window.wanggeMap && window.wanggeMap.loaded(), null, { timeout: 60000 });
await page.getByTestId('login-open').click();
await page.getByTestId('login-username').fill(fx.username);
await page.getByTestId('login-password').fill(fx.password);
await page.getByTestId('login-submit').click();
await page.getByTestId('who').waitFor();
await page.getByTestId('search').fill(fx.search);
await page.getByTestId('search').press('Enter');
await page.getByTestId('search-results').locator('button').first().click();
const t0 = Date.now();
await page.getByTestId('edit-community').click();
await page.waitForFunction((n) => document.querySelectorAll('[data-testid=grid-row]').length === n, fx.grids, { timeout: 180000 });
const openMs = Date.now() - t0;
console.log(`editor open with ${fx.grids} grids and ${fx.blocks} blocks in ${openMs} ms`);

const rows = page.getByTestId('grid-row');
const box = await page.locator('#map').boundingBox();
let done = 0;
for (const [i, b] of fx.sample.entries()) {
  await page.evaluate(([lon, lat]) => window.wanggeMap.jumpTo({ center: [lon, lat], zoom: 17 }), [b.x, b.y]);
  await page.waitForFunction(() => window.wanggeMap.loaded(), null, { timeout: 30000 });
  await rows.nth((i * 37) % fx.grids).click();
  const p = await page.evaluate(([lon, lat]) => window.wanggeMap.project([lon, lat]), [b.x, b.y]);
  await page.mouse.click(box.x + p.x, box.y + p.y);
  done++;
}
await page.waitForTimeout(300);
const ms = (await page.evaluate(() => window.wanggeStrokeMs || [])).sort((a, b) => a - b);
const at = (q) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))];
await browser.close();
console.log(JSON.stringify({ open_ms: openMs, strokes: ms.length, clicks: done, median_ms: at(0.5), p95_ms: at(0.95), max_ms: ms[ms.length - 1] }));
