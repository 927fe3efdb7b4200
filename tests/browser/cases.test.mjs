// Browser test of the closed case loop in real headless Chromium against the real server (started by the Rust test
// that runs this script). Usage: node cases.test.mjs <base-url> <artifacts-dir> <fixture-json>
// A grid worker reports with a photo on a phone-sized screen; the street center accepts, files and dispatches; the
// department handles it with an after-photo; the grid worker verifies; the timeline shows every step.
import { check, fail, setUp } from './harness.mjs';

const { base, artifacts, fixture, browser } = await setUp();
const phone = { width: 390, height: 844 };
const desk = { width: 1280, height: 800 };

async function signedIn(user, viewport, path) {
  const page = await browser.newPage({ viewport });
  page.on('pageerror', (e) => fail(`page error for ${user}: ${e.message}`));
  await page.goto(base + '/');
  await page.waitForFunction(() => window.wanggeMap && window.wanggeMap.loaded(), null, { timeout: 30000 });
  await page.getByTestId('login-open').click();
  await page.getByTestId('login-username').fill(user);
  await page.getByTestId('login-password').fill(fixture.password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('who').waitFor();
  await page.goto(base + path);
  await page.waitForFunction(() => window.wanggeMap && window.wanggeMap.loaded(), null, { timeout: 30000 });
  return page;
}
async function state(page) {
  await page.getByTestId('case-state').waitFor();
  return page.getByTestId('case-state').getAttribute('data-state');
}
async function act(page, action, expected) {
  await page.locator(`.case .actions button[data-action="${action}"]`).click();
  await page.waitForFunction((s) => document.querySelector('[data-testid=case-state]')?.dataset.state === s, expected, { timeout: 15000 });
  check(true, `${action} → ${expected}`);
}

// 1. The grid worker reports on a phone: category, a tap on the map, description, a photo.
let page = await signedIn(fixture.worker, phone, '/cases/new');
await page.getByTestId('report-form').waitFor();
await page.getByTestId('category-filter').fill('私搭乱建');
await page.getByTestId('minor-select').selectOption(fixture.category);
// The form below the map settles the map's height as it loads: take the map's size now, then centre the spot.
await page.getByTestId('minor-select').waitFor();
await page.evaluate(([lon, lat]) => { window.wanggeMap.resize(); window.wanggeMap.jumpTo({ center: [lon, lat], zoom: 16 }); }, fixture.at);
await page.waitForFunction(() => !window.wanggeMap.isMoving() && window.wanggeMap.loaded() && window.wanggeMap.areTilesLoaded(), null, { timeout: 30000 });
await page.waitForTimeout(300);
// A locator click waits until the canvas is stable and fails with the covering element's name if anything covers
// the spot, where a raw mouse click at page coordinates would be lost without a word.
const px = await page.evaluate(([lon, lat]) => window.wanggeMap.project([lon, lat]), fixture.at);
const canvas = await page.locator('#map canvas.maplibregl-canvas').boundingBox();
check(px.y > 40 && px.y < canvas.height - 40, `the spot is inside the map, clear of its controls (${px.x}, ${px.y} of ${canvas.width} × ${canvas.height})`);
await page.locator('#map canvas.maplibregl-canvas').click({ position: { x: px.x, y: px.y } });
await page.waitForFunction(() => document.querySelector('[data-testid=pin-state]').textContent.match(/\d+\.\d{5}, \d+\.\d{5}/), null, { timeout: 10000 })
  .catch(async () => fail(`the tap left no pin; pin state: ${await page.getByTestId('pin-state').textContent()}, url ${page.url()}`));
check(true, 'a tap on the map places the pin');
await page.getByTestId('report-description').fill('人行道上私搭乱建的棚子，挡住了通行');
await page.getByTestId('report-photos').setInputFiles(fixture.photo);
await page.waitForFunction(() => document.querySelector('.report').textContent.includes('1 / 9'));
await page.screenshot({ path: `${artifacts}/case-report-phone.png`, fullPage: true });
await page.getByTestId('report-submit').click();
await page.getByTestId('case-number').waitFor({ timeout: 20000 });
const number = await page.getByTestId('case-number').textContent();
check(/^990101-\d{8}-\d{4}$/.test(number), `reported as case ${number}`);
check((await state(page)) === 'reported', 'it waits for the street center');
await page.waitForFunction(() => document.querySelectorAll('[data-testid=case-photos] img').length === 1, null, { timeout: 10000 }).catch(() => {});
await page.reload();
await page.getByTestId('case-photos').waitFor();
await page.waitForFunction(() => document.querySelectorAll('[data-testid=case-photos] img').length === 1, null, { timeout: 10000 });
check(true, 'the photo is on the case');
await page.screenshot({ path: `${artifacts}/case-reported-phone.png`, fullPage: true });
const caseUrl = new URL(page.url()).pathname;

// 2. The street center dispatches the two filed hotline cases at once, by the dispatch rules; then finds the new
// report on the desk and accepts, files and dispatches it.
const street = await signedIn(fixture.street, desk, '/cases');
await street.getByTestId('case-desk').waitFor();
await street.locator('[data-testid=state-chips] button[data-state="filed"]').click();
await street.waitForFunction(() => document.querySelectorAll('[data-testid=case-tick]').length === 2, null, { timeout: 10000 });
for (const tick of await street.getByTestId('case-tick').all()) await tick.check();
await street.getByTestId('bulk-dispatch').click();
await street.getByTestId('bulk-note').waitFor({ timeout: 15000 });
check((await street.getByTestId('bulk-note').textContent()).includes('已派遣 2'), 'two filed cases dispatched at once');
await street.locator('[data-testid=state-chips] button.on[data-state="filed"]').click();
await street.locator(`[data-testid=case-row][data-number="${number}"]`).waitFor();
// The dots follow the list (after the bulk dispatch the filed list was empty): wait for this list's dots.
await street.waitForFunction(() => {
  const s = window.wanggeMap.getSource('cases');
  return s && s.serialize().data.features.length >= 1;
}, null, { timeout: 15000 }).catch(() => {});
const dots = await street.evaluate(() => window.wanggeMap.getSource('cases').serialize().data.features.length);
check(dots >= 1, `the desk shows its cases on the map (${dots})`);
await street.screenshot({ path: `${artifacts}/case-desk.png` });
await street.locator(`[data-testid=case-row][data-number="${number}"]`).click();
await street.getByTestId('case-page').waitFor();
await act(street, 'accept', 'accepted');
await act(street, 'file', 'filed');
await street.getByTestId('case-department-select').selectOption('城管');
await act(street, 'dispatch', 'dispatched');
check((await street.getByTestId('case-department').textContent()) === '城管', 'dispatched to 城管');

// 3. The department handles it with an after-photo.
// The department finds it in its inbox ("waiting for me") and opens it.
const dept = await signedIn(fixture.dept, desk, '/cases');
await dept.getByTestId('case-desk').waitFor();
await dept.getByTestId('mine').click();
await dept.locator(`[data-testid=case-row][data-number="${number}"]`).waitFor({ timeout: 15000 });
check((await dept.getByTestId('case-row').count()) >= 1, 'the department inbox lists the dispatched case');
await dept.screenshot({ path: `${artifacts}/case-department-inbox.png` });
await dept.locator(`[data-testid=case-row][data-number="${number}"]`).click();
await dept.getByTestId('case-page').waitFor();
await dept.getByTestId('after-photo').setInputFiles(fixture.after_photo);
await dept.waitForFunction(() => document.querySelectorAll('[data-testid=case-photos] img').length === 2, null, { timeout: 15000 });
await dept.getByTestId('case-opinion').fill('棚子已拆除，恢复通行');
await act(dept, 'handle', 'handled');
check(!(await dept.locator('.case .actions button[data-action="verify_pass"]').count()), 'the department cannot verify its own work');

// 4. The grid worker verifies on site; the case closes with its whole trail.
await page.reload();
await page.getByTestId('case-page').waitFor();
await act(page, 'verify_pass', 'closed');
const steps = await page.locator('[data-testid=case-timeline] li').evaluateAll((li) => li.map((l) => l.dataset.action));
check(JSON.stringify(steps) === JSON.stringify(['report', 'accept', 'file', 'dispatch', 'handle', 'verify_pass']), `the timeline shows every step: ${steps.join(' → ')}`);
check(await page.locator('.timeline .trail-photo').count() === 1, 'the handling step shows its after-photo');
await page.screenshot({ path: `${artifacts}/case-closed-phone.png`, fullPage: true });
await street.reload();
await street.getByTestId('case-page').waitFor();
await street.getByTestId('lang').click();
await street.waitForFunction(() => document.querySelector('[data-testid=case-state]').textContent === 'Closed');
check(true, 'the English switch translates the case page');
await street.screenshot({ path: `${artifacts}/case-closed-en.png` });

await browser.close();
console.log('all case checks passed');
