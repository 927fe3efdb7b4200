// Browser test of the map app in real headless Chromium against the real server (started by the Rust test that
// runs this script). Usage: node map.test.mjs <base-url> <artifacts-dir> <fixture-json> <resident-secret>...
// The fixture names the grids to look for and the staff account to sign in with.
// Exits non-zero with a message on the first failed check; saves screenshots into the artifacts folder.
import { check, fail, setUp } from './harness.mjs';

const { base, artifacts, fixture, extra: secrets, browser } = await setUp();
const outside = [];
async function open(path, viewport = { width: 1280, height: 800 }) {
  const page = await browser.newPage({ viewport, geolocation: undefined });
  page.on('pageerror', (e) => fail(`page error on ${path}: ${e.message}`));
  page.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) outside.push(r.url()); });
  await page.goto(base + path);
  await page.waitForFunction(() => window.wanggeMap && window.wanggeMap.loaded() && window.wanggeMap.areTilesLoaded(), null, { timeout: 30000 });
  await page.waitForTimeout(500);
  return page;
}
async function idle(page) {
  await page.waitForFunction(() => !window.wanggeMap.isMoving() && window.wanggeMap.loaded() && window.wanggeMap.areTilesLoaded(), null, { timeout: 30000 });
  await page.waitForTimeout(300);
}

// the grid we will look for: the first natural grid of the first demo community
const target = fixture.target;
const hit = (await (await fetch(`${base}/api/search?q=${target.code}`)).json())[0];

// 1. the map loads for anyone and renders grids from our own tiles
let page = await open('/');
const rendered = await page.evaluate(() => window.wanggeMap.queryRenderedFeatures({ layers: ['grids-fill'] }).length);
check(rendered > 10, `map renders grids (${rendered} grid features on screen)`);
const buildings = await page.evaluate(() => window.wanggeMap.querySourceFeatures('wangge', { sourceLayer: 'buildings' }).length);
check(buildings > 0, `building tiles loaded (${buildings} features)`);
check(await page.getByTestId('demo-badge').isVisible(), 'the generated demo is labelled as such');
check(!(await page.locator('.legend').isVisible()), 'before signing in the public map is shown');
await page.screenshot({ path: `${artifacts}/map.png` });

// 1b. staff sign in: a wrong password is refused with a reason, the right one opens the working map
await page.getByTestId('login-open').click();
await page.getByTestId('login-username').fill(fixture.username);
await page.getByTestId('login-password').fill('not-the-password-1');
await page.getByTestId('login-submit').click();
await page.getByTestId('login-error').waitFor();
check((await page.getByTestId('login-error').textContent()).includes('密码'), 'a wrong password is refused with a reason (in Chinese)');
await page.screenshot({ path: `${artifacts}/login-refused.png` });
await page.getByTestId('login-password').fill(fixture.password);
await page.getByTestId('login-submit').click();
await page.getByTestId('who').waitFor();
check((await page.getByTestId('who').textContent()).includes('网格规划员'), 'signed in: the header shows the role');
await page.locator('.legend').waitFor();
await idle(page);
check(await page.evaluate(() => window.wanggeMap.getStyle().name) === 'Wangge staff', 'the working map style is loaded');
await page.screenshot({ path: `${artifacts}/signed-in.png` });

// 2. search by grid code flies there and shows the grid
await page.getByTestId('search').fill(target.code);
await page.getByTestId('search').press('Enter');
await page.getByTestId('search-results').locator('button').first().click();
await idle(page);
const center = await page.evaluate(() => window.wanggeMap.getCenter());
check(Math.abs(center.lng - hit.lon) < 2e-4 && Math.abs(center.lat - hit.lat) < 2e-4, `search flew to the grid (${center.lng.toFixed(5)}, ${center.lat.toFixed(5)})`);
await page.getByTestId('grid-code').waitFor();
check((await page.getByTestId('grid-code').textContent()) === target.code, 'the grid panel shows the searched grid');
check(Number(await page.getByTestId('grid-households').textContent()) === target.households, 'the panel shows its households');
await page.waitForFunction(() => /^\/grids\/\d+$/.test(location.pathname));
const gridPath = new URL(page.url()).pathname;
check(true, `the grid has its own URL (${gridPath})`);
await page.screenshot({ path: `${artifacts}/search.png` });

// 3. clicking a point on the map says which grid it is in
const other = fixture.other;
const otherHit = (await (await fetch(`${base}/api/search?q=${other.code}`)).json())[0];
await page.evaluate(([lon, lat]) => window.wanggeMap.jumpTo({ center: [lon, lat], zoom: 16 }), [otherHit.lon, otherHit.lat]);
await idle(page);
const box = await page.locator('#map').boundingBox();
const px = await page.evaluate(([lon, lat]) => window.wanggeMap.project([lon, lat]), [otherHit.lon, otherHit.lat]);
await page.mouse.click(box.x + px.x, box.y + px.y);
await page.getByTestId('located-grid').filter({ hasText: other.code }).waitFor({ timeout: 10000 });
check(true, `clicking the map located grid ${other.code}`);
const selected = await page.evaluate((code) => window.wanggeMap.getFeatureState({ source: 'wangge', sourceLayer: 'grids', id: code }), other.code);
check(selected.selected === true, 'the clicked grid is highlighted');
await page.screenshot({ path: `${artifacts}/click.png` });

// 4. English switch
await page.getByTestId('lang').click();
check((await page.locator('header h1').textContent()).includes('Grid governance map'), 'English switch');
await page.close();

// 5. public map: nothing private anywhere in what the page receives
page = await open('/?mode=public');
const bodies = [];
page.on('response', async (r) => { try { bodies.push(await r.text()); } catch { /* binary or aborted */ } });
await page.getByTestId('search').fill(target.code);
await page.getByTestId('search').press('Enter');
await page.getByTestId('search-results').locator('button').first().click();
await page.getByTestId('grid-code').waitFor();
await idle(page);
check((await page.getByTestId('grid-contacts').textContent()).includes(fixture.worker), 'the public grid card shows its grid worker');
check(!(await page.getByTestId('grid-stats').isVisible()), 'the public grid card has no statistics');
const text = (await page.content()) + bodies.join('\n');
for (const s of secrets) check(!text.includes(s), `public map does not expose ${s.slice(0, 2)}…`);
check(!(await page.locator('.legend').isVisible()), 'public map hides the staff legend');
await page.screenshot({ path: `${artifacts}/public.png` });
await page.close();

// 5b. a grid's URL opens the map on that grid, for anyone
page = await open(gridPath);
await page.getByTestId('grid-code').waitFor();
check((await page.getByTestId('grid-code').textContent()) === target.code, `opening ${gridPath} shows that grid's panel`);
await page.close();

// 6. a phone-sized screen
page = await open('/', { width: 390, height: 844 });
const mapBox = await page.locator('#map').boundingBox();
const aside = await page.locator('aside').boundingBox();
check(mapBox.width >= 380 && mapBox.height > 300, `map fills the phone width (${mapBox.width}×${mapBox.height})`);
check(aside.y >= mapBox.y + mapBox.height - 1, 'the panel sits below the map on a phone');
await page.screenshot({ path: `${artifacts}/phone.png` });
await page.close();

// 7. a grid worker sees the residents of their grid masked, and reveals one (audited)
page = await open('/');
const signIn = async (p, user) => {
  await p.getByTestId('login-open').click();
  await p.getByTestId('login-username').fill(user);
  await p.getByTestId('login-password').fill(fixture.password);
  await p.getByTestId('login-submit').click();
  await p.getByTestId('who').waitFor();
};
await signIn(page, fixture.worker);
await page.getByTestId('search').fill(target.code);
await page.getByTestId('search').press('Enter');
await page.getByTestId('search-results').locator('button').first().click();
await page.getByTestId('resident-row').first().waitFor();
const masked = await page.getByTestId('resident-row').first().textContent();
check(masked.includes('3201**********') && !secrets.some((x) => masked.includes(x)), `the worker's list is masked (${masked.trim().slice(0, 40)})`);
await page.getByTestId('reveal').first().click();
await page.getByTestId('revealed').waitFor();
check((await page.getByTestId('revealed').textContent()).includes(secrets[1]), 'reveal shows the ID-card number to the scoped worker');
await page.screenshot({ path: `${artifacts}/residents.png` });
await page.close();

// 8. the district admin creates and disables an account, and checks the audit chain (which logged the reveal)
page = await open('/');
await signIn(page, fixture.admin);
await page.getByTestId('admin-open').click();
await page.getByTestId('account-row').first().waitFor();
check(new URL(page.url()).pathname === '/admin', 'the admin panel has its own URL');
await page.getByTestId('new-username').fill('li.na');
await page.getByTestId('new-display').fill('李娜');
await page.getByTestId('new-role').selectOption('grid_worker');
await page.getByTestId('new-scope-kind').selectOption('grids');
await page.getByTestId('new-scope').fill(target.code);
await page.getByTestId('new-password').fill('Wangge-2026!');
await page.getByTestId('new-account-submit').click();
const liRow = page.locator('[data-testid=account-row][data-username="li.na"]');
await liRow.waitFor();
check(true, 'the admin created a grid worker account from the panel');
await liRow.getByTestId('account-toggle').click();
await page.waitForFunction(() => document.querySelector('[data-username="li.na"]').classList.contains('disabled'));
check(true, 'the admin disabled it');
// The admin sets the filing stage's limit: the row loses its default mark and keeps the new value.
const filed = page.locator('[data-testid=stage-row][data-state="filed"]');
await filed.waitFor();
await filed.getByTestId('stage-amount').fill('3');
await filed.getByTestId('stage-unit').selectOption('hours');
await filed.getByTestId('stage-save').click();
await page.getByTestId('stage-note').waitFor();
await page.waitForFunction(() => {
  const row = document.querySelector('[data-testid=stage-row][data-state="filed"]');
  return row && row.querySelector('[data-testid=stage-amount]').value === '3' && !row.textContent.includes('默认');
}, null, { timeout: 10000 });
check(true, 'the admin set the filing stage to 3 hours (no longer the default)');
await page.getByTestId('audit-verify').click();
await page.getByTestId('audit-result').waitFor();
check((await page.getByTestId('audit-result').textContent()).includes('审计链完整'), 'the audit chain verifies as intact');
check((await page.getByTestId('audit-entries').textContent()).includes('/reveal'), 'the reveal is in the audit log');
check((await page.getByTestId('audit-result').textContent()).includes(fixture.district), 'the district\'s own chain was verified');
await page.screenshot({ path: `${artifacts}/admin.png` });
// The shared chain (entries about no one district) is one click away, verified on its own.
await page.getByTestId('audit-chains').locator('button').nth(1).click();
await page.getByTestId('audit-verify').click();
await page.waitForFunction(() => (document.querySelector('[data-testid=audit-result]') || {}).textContent?.includes('000000'));
check((await page.getByTestId('audit-result').textContent()).includes('审计链完整'), 'the shared chain verifies as intact');
check(!(await page.getByTestId('audit-entries').textContent()).includes('/reveal'), 'the district\'s entries are not in the shared chain');
await page.screenshot({ path: `${artifacts}/admin-shared-chain.png` });
await page.goBack();
await page.getByTestId('account-row').first().waitFor({ state: 'detached' });
check(new URL(page.url()).pathname === '/', 'the back button leaves the admin panel for the map');
await page.close();

check(outside.length === 0, `no request left our server (${outside.slice(0, 3).join(', ')})`);
await browser.close();
console.log('all browser checks passed');
