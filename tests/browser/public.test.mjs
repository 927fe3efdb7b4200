// Browser test of public reporting in real headless Chromium against the real server (started by the Rust test that
// runs this script). Usage: node public.test.mjs <base-url> <artifacts-dir> <fixture-json>
// A resident on a phone, without an account, reports a problem with a photo and sees the duplicate hint; gets the
// tracking page; the offices run the case through the API; the tracking page shows each step; the resident rates.
import { check, fail, setUp } from './harness.mjs';

const { base, artifacts, fixture, browser } = await setUp();
const phone = { width: 390, height: 844 };
const ours = new URL(base).host;
const page = await browser.newPage({ viewport: phone });
page.on('pageerror', (e) => fail(`page error: ${e.message}`));
const outside = [];
page.on('request', (r) => { const u = new URL(r.url()); if (u.protocol.startsWith('http') && u.host !== ours) outside.push(r.url()); });

// 1. The public map: a button to report a problem.
await page.goto(base + '/');
await page.waitForFunction(() => window.wanggeMap && window.wanggeMap.loaded(), null, { timeout: 30000 });
await page.getByTestId('report-problem').click();
await page.getByTestId('public-report-form').waitFor();
check(new URL(page.url()).pathname === '/public/report', 'the report form has its own address');
await page.getByTestId('service-filter').fill('道路');
await page.locator('[data-testid=services] button[data-service="road_damage"]').click();
check((await page.getByTestId('chosen-service').textContent()).includes('道路破损'), 'the problem is chosen from the short list by search');

// 2. A tap on the map places the pin (centre the spot once the form has settled the map's height).
await page.evaluate(([lon, lat]) => { window.wanggeMap.resize(); window.wanggeMap.jumpTo({ center: [lon, lat], zoom: 17 }); }, fixture.at);
await page.waitForFunction(() => !window.wanggeMap.isMoving() && window.wanggeMap.loaded() && window.wanggeMap.areTilesLoaded(), null, { timeout: 30000 });
await page.waitForTimeout(300);
const px = await page.evaluate(([lon, lat]) => window.wanggeMap.project([lon, lat]), fixture.at);
const canvas = await page.locator('#map canvas.maplibregl-canvas').boundingBox();
check(px.y > 40 && px.y < canvas.height - 40, `the spot is inside the map (${px.x}, ${px.y} of ${canvas.width} × ${canvas.height})`);
await page.locator('#map canvas.maplibregl-canvas').click({ position: { x: px.x, y: px.y } });
await page.waitForFunction(() => document.querySelector('[data-testid=pin-state]').textContent.match(/\d+\.\d{5}, \d+\.\d{5}/), null, { timeout: 10000 })
  .catch(async () => fail(`the tap left no pin: ${await page.getByTestId('pin-state').textContent()}`));
check(true, 'a tap on the map places the pin');

// 3. The hint: the same problem was reported a few metres away.
await page.getByTestId('public-duplicates').waitFor({ timeout: 10000 });
check((await page.getByTestId('public-duplicates').textContent()).includes('道路破损'), 'the same problem nearby is shown: "is it one of these?"');
await page.screenshot({ path: `${artifacts}/public-report-hint-phone.png`, fullPage: true });

// 4. A description and a photo (shrunk on the phone before sending), and send.
await page.getByTestId('public-description').fill('小区门口人行道塌了一个坑，晚上看不见，容易绊倒');
await page.getByTestId('public-photos').setInputFiles(fixture.photo);
await page.waitForFunction(() => document.querySelector('[data-testid=public-photo-count]').textContent.startsWith('1 /'), null, { timeout: 10000 });
check(true, 'the photo is attached');
await page.screenshot({ path: `${artifacts}/public-report-phone.png`, fullPage: true });
await page.getByTestId('public-submit').click();
await page.getByTestId('track-page').waitFor({ timeout: 20000 });
await page.getByTestId('track-number').waitFor({ timeout: 20000 });
const number = await page.getByTestId('track-number').textContent();
const token = new URL(page.url()).pathname.split('/').pop();
check(/^990101-\d{8}-\d{4}$/.test(number) && /^\d+-r-[0-9a-f]{24}$/.test(token), `tracking page ${token} for report ${number}`);
check((await page.getByTestId('track-status').textContent()).includes('已收到'), 'the status is in plain words: received');
await page.screenshot({ path: `${artifacts}/public-track-received-phone.png`, fullPage: true });

// 5. The offices move the case on (through the API, as their own screens are tested elsewhere).
const id = Number(token.split('-')[0]);
async function office(user) {
  const ctx = await (await import('../../web/node_modules/playwright-core/index.mjs')).request.newContext({ baseURL: base });
  const r = await ctx.post('/api/session', { data: { username: user, password: fixture.password } });
  if (!r.ok()) fail(`sign-in of ${user}: ${r.status()}`);
  const csrf = (await r.json()).account.csrf_token;
  return async (body) => {
    const a = await ctx.post(`/api/cases/${id}/actions`, { data: body, headers: { 'x-csrf-token': csrf } });
    if (!a.ok()) fail(`${user} ${body.action}: ${a.status()} ${await a.text()}`);
  };
}
const street = await office(fixture.street);
await street({ action: 'accept' });

// The street center pixelates part of the photo for the public, dragging a box on the case page.
const desk = await browser.newPage({ viewport: { width: 1280, height: 800 } });
desk.on('pageerror', (e) => fail(`page error (street): ${e.message}`));
await desk.goto(base + '/');
await desk.waitForFunction(() => window.wanggeMap && window.wanggeMap.loaded(), null, { timeout: 30000 });
await desk.getByTestId('login-open').click();
await desk.getByTestId('login-username').fill(fixture.street);
await desk.getByTestId('login-password').fill(fixture.password);
await desk.getByTestId('login-submit').click();
await desk.getByTestId('who').waitFor();
await desk.goto(`${base}/cases/${id}`);
await desk.getByTestId('photo-blur').waitFor({ timeout: 20000 });
await desk.locator('[data-testid=photo-blur] summary').click();
const source = desk.getByTestId('blur-source');
await source.waitFor();
await desk.waitForFunction(() => document.querySelector('[data-testid=blur-source]').naturalWidth > 0);
const box = await source.boundingBox();
await desk.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.2);
await desk.mouse.down();
await desk.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5, { steps: 5 });
await desk.mouse.up();
await desk.getByTestId('blur-public').waitFor({ timeout: 15000 });
await desk.waitForFunction(() => document.querySelector('[data-testid=blur-public]').naturalWidth > 0, null, { timeout: 10000 });
check(true, 'a box dragged over the photo pixelates its public copy');
await desk.screenshot({ path: `${artifacts}/public-blur-desk.png`, fullPage: true });
await desk.close();
await street({ action: 'file' });
await street({ action: 'dispatch', department: '城管' });
await (await office(fixture.dept))({ action: 'handle', opinion: '已修补路面' });
await (await office(fixture.worker))({ action: 'verify_pass' });
check(true, 'accepted, filed, dispatched, handled and verified');

// 6. The tracking page shows each step, the photo, and asks for a rating.
await page.reload();
await page.getByTestId('track-status').waitFor({ timeout: 20000 });
check((await page.getByTestId('track-status').textContent()).includes('已办结'), 'the status reads fixed');
const steps = await page.locator('[data-testid=track-steps] li').evaluateAll((lis) => lis.map((li) => li.dataset.action));
check(JSON.stringify(steps) === JSON.stringify(['report', 'accept', 'dispatch', 'handle', 'verify_pass']), `the public steps: ${steps}`);
check((await page.getByTestId('track-steps').textContent()).includes('城管'), 'the department is named');
check(!(await page.getByTestId('track-page').textContent()).includes('已修补路面'), 'opinions between offices stay inside');
await page.waitForFunction(() => [...document.querySelectorAll('.track .photos img')].some((i) => i.complete && i.naturalWidth > 0), null, { timeout: 10000 });
check(true, 'the report photo shows once accepted');
await page.getByTestId('rate').waitFor();
await page.screenshot({ path: `${artifacts}/public-track-fixed-phone.png`, fullPage: true });
await page.getByTestId('rate-comment').fill('修得很快，谢谢');
await page.locator('[data-testid=rate] button[data-rating="satisfied"]').click();
await page.getByTestId('track-rating').waitFor({ timeout: 10000 });
check((await page.getByTestId('track-rating').textContent()).includes('满意'), 'the rating is recorded');
check(await page.getByTestId('rate').count() === 0, 'and asked for once');
await page.getByTestId('lang').click();
check((await page.getByTestId('track-status').textContent()).includes('Fixed'), 'the English switch');
await page.screenshot({ path: `${artifacts}/public-track-rated-phone.png`, fullPage: true });

// 7. The public map shows the accepted reports.
await page.goto(base + '/public');
await page.waitForFunction(() => window.wanggeMap && window.wanggeMap.loaded() && window.wanggeMap.getLayer('public-reports-dots'), null, { timeout: 30000 });
check(true, 'the public map shows the accepted reports');
await page.evaluate(([lon, lat]) => window.wanggeMap.jumpTo({ center: [lon, lat], zoom: 16 }), fixture.at);
await page.waitForFunction(() => window.wanggeMap.queryRenderedFeatures({ layers: ['public-reports-dots'] }).length > 0, null, { timeout: 20000 });
const dot = await page.evaluate(() => {
  const f = window.wanggeMap.queryRenderedFeatures({ layers: ['public-reports-dots'] })[0];
  return window.wanggeMap.project(f.geometry.coordinates);
});
await page.locator('#map canvas.maplibregl-canvas').click({ position: { x: dot.x, y: dot.y } });
await page.getByTestId('public-report-card').waitFor({ timeout: 10000 });
check((await page.getByTestId('public-report-card').textContent()).includes('道路破损'), 'a click on a dot shows the report: its problem and status');
await page.screenshot({ path: `${artifacts}/public-map-report-phone.png`, fullPage: true });
check(outside.length === 0, `nothing but our own server was asked (${outside.slice(0, 3)})`);
await browser.close();
console.log('all public checks passed');
