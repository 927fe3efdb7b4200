// Browser test of the density view in real headless Chromium against the real server (started by the Rust test
// that runs this script). Usage: node density.test.mjs <base-url> <artifacts-dir> <fixture-json>
// A district-wide street operator opens the density view: bins appear over the generated cases, the window
// changes them, the hot-spot layer shows its classes with a legend, the busiest communities are listed, and the
// English switch translates the legend.
import { check, fail, setUp } from './harness.mjs';

const { base, artifacts, fixture, browser } = await setUp();
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
page.on('pageerror', (e) => fail(`page error: ${e.message}`));
await page.goto(base + '/');
await page.waitForFunction(() => window.wanggeMap && window.wanggeMap.loaded(), null, { timeout: 30000 });
await page.getByTestId('login-open').click();
await page.getByTestId('login-username').fill(fixture.user);
await page.getByTestId('login-password').fill(fixture.password);
await page.getByTestId('login-submit').click();
await page.getByTestId('who').waitFor();
await page.getByTestId('density-open').click();
await page.getByTestId('density').waitFor();
check(new URL(page.url()).pathname === '/density', 'the density view has its own URL');
await page.evaluate((b) => window.wanggeMap.fitBounds([[b[0], b[1]], [b[2], b[3]]], { animate: false, padding: 20 }), fixture.bbox);

const features = () => page.evaluate(() => {
  const s = window.wanggeMap.getSource('density');
  return s ? s.serialize().data.features : [];
});
const total = async () => Number(((await page.getByTestId('density-total').textContent()) || '0').split(' ')[0]);
await page.waitForFunction(() => {
  const s = window.wanggeMap.getSource('density');
  return s && s.serialize().data.features.length > 0;
}, null, { timeout: 20000 });
const week = (await features()).length;
check(week > 0 && (await total()) > 0, `bins of the last 92 days drawn: ${week} hexagons, ${await total()} incidents`);
await page.screenshot({ path: `${artifacts}/density-counts.png` });

// A longer window holds at least as many incidents.
const before = await total();
await page.getByTestId('density-days').selectOption('365');
await page.waitForFunction((n) => Number(document.querySelector('[data-testid=density-total]').textContent.split(' ')[0]) > n, before, { timeout: 15000 });
check((await total()) > before, `a year holds more incidents than 92 days (${await total()} > ${before})`);

// Hot spots: every tested hexagon has a class colour; the legend names the seven classes.
await page.getByTestId('density-hot').click();
await page.waitForFunction(() => document.querySelectorAll('[data-testid=density-legend] li').length === 7, null, { timeout: 15000 });
await page.waitForFunction((n) => {
  const s = window.wanggeMap.getSource('density');
  return s && s.serialize().data.features.length > n;
}, week, { timeout: 15000 });
const colours = new Set((await features()).map((f) => f.properties.colour));
check(colours.size >= 2, `hot-spot classes drawn: ${[...colours].join(', ')}`);
const rows = await page.locator('[data-testid=density-top] tr').count();
check(rows >= 2, `the busiest communities are listed (${rows - 1})`);
await page.screenshot({ path: `${artifacts}/density-hotspots.png` });

// Emerging hot spots: the window in six slices, the seven categories in the legend with their counts.
await page.getByTestId('density-emerging').click();
await page.waitForFunction(() => document.querySelectorAll('[data-testid=density-legend] li[data-emerging]').length === 7, null, { timeout: 15000 });
await page.waitForFunction(() => document.querySelector('[data-testid=density-total]').textContent.includes('6 个时段'), null, { timeout: 15000 });
check((await page.getByTestId('density-legend').textContent()).includes('加剧热点'), 'emerging hot spots: six slices, the categories explained');
await page.screenshot({ path: `${artifacts}/density-emerging.png` });
// The difference map: this period against the one before, five classes of change.
await page.getByTestId('density-compare').click();
await page.waitForFunction(() => document.querySelectorAll('[data-testid=density-legend] li[data-change]').length === 5, null, { timeout: 15000 });
await page.waitForFunction(() => document.querySelector('[data-testid=density-total]').textContent.includes('上期'), null, { timeout: 15000 });
check(true, 'the comparison with the period before, and its legend');
await page.screenshot({ path: `${artifacts}/density-compare.png` });

// The time series: a line per busy class.
await page.waitForFunction(() => document.querySelectorAll('[data-testid=density-series] polyline').length >= 1, null, { timeout: 15000 });
check(true, `the time series: ${await page.locator('[data-testid=density-series] polyline').count()} classes over time`);

// A click on a hexagon lists its cases.
await page.getByTestId('density-counts').click();
await page.waitForFunction(() => !document.querySelector('[data-testid=density-legend] li[data-change]'), null, { timeout: 15000 });
// The centre of a drawn hexagon, once the counts are drawn (the layer is replaced as the mode changes).
const spot = await (await page.waitForFunction(() => {
  const layer = window.wanggeMap.getLayer('density-fill') && window.wanggeMap.queryRenderedFeatures({ layers: ['density-fill'] });
  const f = layer && layer[0];
  if (!f || window.wanggeMap.isMoving()) return null;
  const ring = f.geometry.coordinates[0];
  const c = ring.slice(0, -1).reduce((a, p) => [a[0] + p[0] / (ring.length - 1), a[1] + p[1] / (ring.length - 1)], [0, 0]);
  return window.wanggeMap.project(c);
}, null, { timeout: 15000 })).jsonValue();
await page.locator('#map canvas.maplibregl-canvas').click({ position: { x: spot.x, y: spot.y } });
await page.getByTestId('density-cell-cases').waitFor({ timeout: 15000 });
const listed = await page.locator('[data-testid=density-cell-cases] li').count();
check(listed >= 1, `a click on a hexagon lists its cases (${listed})`);
check(new URL(page.url()).pathname === '/density', 'and the view stays');
await page.screenshot({ path: `${artifacts}/density-cell-cases.png` });

// Zoomed past the bins, the counts become a heat surface of the cases' points.
const overview = await page.evaluate(() => ({ center: window.wanggeMap.getCenter(), zoom: window.wanggeMap.getZoom() }));
await page.evaluate(() => window.wanggeMap.jumpTo({ zoom: 16.5 }));
await page.waitForFunction(() => window.wanggeMap.getLayer('density-heat') && document.querySelector('[data-testid=density-total]').textContent.includes('点位热力'), null, { timeout: 15000 });
check(true, 'past the bins, a heat surface of points');
await page.screenshot({ path: `${artifacts}/density-heat.png` });
await page.evaluate((v) => window.wanggeMap.jumpTo(v), overview);
await page.waitForFunction(() => !window.wanggeMap.getLayer('density-heat') && window.wanggeMap.getLayer('density-fill'), null, { timeout: 15000 });

// A pixel of the map where `layer` draws a feature coloured by density (feature state of `sourceLayer`), and the
// feature's id; a click there lists the area's cases.
const clickColoured = async (layer, sourceLayer, what) => {
  const spot = await page.waitForFunction(([layer, sourceLayer]) => {
    const m = window.wanggeMap;
    const { width, height } = m.getCanvas().getBoundingClientRect();
    for (let y = 40; y < height - 40; y += 40) {
      for (let x = 40; x < width - 40; x += 40) {
        const f = m.queryRenderedFeatures([x, y], { layers: [layer] })[0];
        if (f && m.getFeatureState({ source: 'wangge', sourceLayer, id: f.id }).density) return { x, y, code: f.id };
      }
    }
    return null;
  }, [layer, sourceLayer], { timeout: 15000 }).then((h) => h.jsonValue());
  check(Boolean(spot), `a ${what} coloured on the map (${spot.code})`);
  check(await page.getByTestId('density-cell-cases').count() === 0, 'a new mode clears the cases listed');
  await page.screenshot({ path: `${artifacts}/density-${what}.png` });
  await page.locator('#map canvas.maplibregl-canvas').click({ position: { x: spot.x, y: spot.y } });
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=density-cell-cases] b')?.textContent) > 0, null, { timeout: 15000 });
  check(true, `clicking the ${what} lists its cases (${await page.locator('[data-testid=density-cell-cases] b').textContent()})`);
};

// The grids coloured by incidents per 100 households; a click on one lists its cases.
await page.getByTestId('density-grids').click();
await page.waitForFunction(() => document.querySelectorAll('[data-testid=density-legend] li[data-rate]').length === 5
  && JSON.stringify(window.wanggeMap.getPaintProperty('grids-fill', 'fill-color')).includes('density'), null, { timeout: 15000 });
check((await page.getByTestId('density-total').textContent()).includes('个网格'), 'grids coloured by incidents per 100 households');
await clickColoured('grids-fill', 'grids', 'grid');

// The communities coloured the same way (the grids' own colours return); a click on one lists its cases.
await page.getByTestId('density-communities').click();
await page.waitForFunction(() => !JSON.stringify(window.wanggeMap.getPaintProperty('grids-fill', 'fill-color')).includes('density')
  && document.querySelector('[data-testid=density-total]').textContent.includes('个社区'), null, { timeout: 15000 });
await clickColoured('communities-fill', 'boundaries', 'community');
await page.getByTestId('density-counts').click();
await page.waitForFunction(() => {
  const m = window.wanggeMap;
  return m.querySourceFeatures('wangge', { sourceLayer: 'boundaries' }).every((f) => !m.getFeatureState({ source: 'wangge', sourceLayer: 'boundaries', id: f.id }).density);
}, null, { timeout: 15000 });
check(true, 'back to hexagons, the communities are no longer filled');

// The busiest areas at another level: natural grids (the top-10 grids table).
await page.getByTestId('density-level').selectOption('grid');
await page.waitForFunction(() => document.querySelector('[data-testid=density-top] th').textContent.includes('自然网格'), null, { timeout: 10000 });
await page.waitForFunction(() => document.querySelectorAll('[data-testid=density-top] tr').length >= 3, null, { timeout: 10000 });
check(true, `the busiest natural grids (${(await page.locator('[data-testid=density-top] tr').count()) - 1})`);
check(await page.getByTestId('density-repeats').count() === 1, `repeat places listed (${await page.locator('[data-testid=density-repeats] li').count()})`);

// The time slider moves the window's end back; the counts follow.
const now = await total();
await page.getByTestId('density-end').fill('200');
await page.waitForFunction((n) => {
  const m = document.querySelector('[data-testid=density-total]').textContent.match(/^(\d+)/);
  return m && Number(m[1]) !== n;
}, now, { timeout: 15000 });
check(true, `the slider moves the window back (${now} → ${await total()} incidents)`);
await page.getByTestId('density-end').fill('365');

await page.getByTestId('density-hot').click();
await page.waitForFunction(() => document.querySelectorAll('[data-testid=density-legend] li').length === 7 && !document.querySelector('[data-testid=density-legend] li[data-emerging]'), null, { timeout: 15000 });

await page.getByTestId('lang').click();
await page.waitForFunction(() => document.querySelector('[data-testid=density-legend]').textContent.includes('Hot spot, 99 % confidence'));
check(true, 'the English switch translates the legend');
await page.screenshot({ path: `${artifacts}/density-hotspots-en.png` });

// A grid's panel shows the office its incidents month by month (across versions).
await page.getByTestId('search').fill('990101001001001');
await page.getByTestId('search').press('Enter');
await page.getByTestId('search-results').locator('button').first().click();
await page.waitForFunction(() => document.querySelectorAll('[data-testid=grid-history] rect.carried').length > 0, null, { timeout: 15000 });
const bars = await page.locator('[data-testid=grid-history] rect.carried').count();
check(bars >= 2, `the grid's incidents by month: ${bars} months`);
const households = await page.getByTestId('grid-history-households').textContent();
check(/(户数|Households by version): v\d+ \d+/.test(households), `the grid's households by version: ${households}`);
await page.screenshot({ path: `${artifacts}/grid-history.png` });

// The public map: anyone may switch on the district's published density (hexagons of five incidents or more).
const visitor = await browser.newPage({ viewport: { width: 1280, height: 800 } });
visitor.on('pageerror', (e) => fail(`page error (public): ${e.message}`));
await visitor.goto(base + '/');
await visitor.waitForFunction(() => window.wanggeMap && window.wanggeMap.loaded(), null, { timeout: 30000 });
await visitor.evaluate((b) => window.wanggeMap.fitBounds([[b[0], b[1]], [b[2], b[3]]], { animate: false }), fixture.bbox);
await visitor.getByTestId('public-heat').check();
await visitor.waitForFunction(() => {
  const s = window.wanggeMap.getSource('density');
  return s && s.serialize().data.features.length > 0;
}, null, { timeout: 15000 });
check(true, 'the public map shows the published density');
await visitor.screenshot({ path: `${artifacts}/density-public.png` });
await browser.close();
console.log('all density checks passed');
