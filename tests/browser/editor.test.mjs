// Browser test of the planner's grid editor in real headless Chromium against the real server, with real mouse
// gestures. Usage: node editor.test.mjs <base-url> <artifacts-dir> <fixture-json>
// The fixture names the community, a block on the border of grids A and B, and two planner accounts.
import { writeFileSync } from 'node:fs';
import { check, fail, setUp } from './harness.mjs';

const { base, artifacts, fixture: fx, browser } = await setUp();
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
page.on('pageerror', (e) => fail(`page error: ${e.message}`));
await page.goto(base + '/');
await page.waitForFunction(() => window.wanggeMap && window.wanggeMap.loaded(), null, { timeout: 30000 });
const idle = async () => {
  await page.waitForFunction(() => !window.wanggeMap.isMoving() && window.wanggeMap.loaded() && window.wanggeMap.areTilesLoaded(), null, { timeout: 30000 });
  await page.waitForTimeout(200);
};

// sign in as a planner and open the editor from a grid of the community
await page.getByTestId('login-open').click();
await page.getByTestId('login-username').fill(fx.username);
await page.getByTestId('login-password').fill(fx.password);
await page.getByTestId('login-submit').click();
await page.getByTestId('who').waitFor();
await page.getByTestId('search').fill(fx.a.code);
await page.getByTestId('search').press('Enter');
await page.getByTestId('search-results').locator('button').first().click();
await page.getByTestId('edit-community').click();
await page.getByTestId('editor').waitFor();
await page.getByTestId('grid-row').first().waitFor();
check((await page.getByTestId('grid-row').count()) === fx.grids, `the editor lists every grid (${fx.grids})`);
await page.evaluate(([lon, lat]) => window.wanggeMap.jumpTo({ center: [lon, lat], zoom: 17 }), [fx.block.x, fx.block.y]);
await idle();

// rows are found by grid key (stable across saves; the displayed code suffix is renumbered on every save)
const row = (key) => page.locator(`[data-testid=grid-row][data-grid-key="${key}"]`);
const households = async (label) => Number(await row(label).getByTestId('row-households').textContent());
const screen = async (lon, lat) => {
  const box = await page.locator('#map').boundingBox();
  const p = await page.evaluate(([lon, lat]) => window.wanggeMap.project([lon, lat]), [lon, lat]);
  return { x: box.x + p.x, y: box.y + p.y };
};
const blockPx = await screen(fx.block.x, fx.block.y);
const a0 = await households(fx.a.key);
const b0 = await households(fx.b.key);

// 1. click-paint the block from A into B: the counts change by exactly its households, without a server round trip
await row(fx.b.key).click();
await page.mouse.click(blockPx.x, blockPx.y);
await page.waitForFunction(([l, v]) => Number(document.querySelector(`[data-grid-key="${l}"] [data-testid=row-households]`).textContent) === v, [fx.b.key, b0 + fx.block.households]);
check(await households(fx.a.key) === a0 - fx.block.households, `paint: grid ${fx.a.key} lost ${fx.block.households} households`);
check(await households(fx.b.key) === b0 + fx.block.households, `paint: grid ${fx.b.key} gained them`);
const colour = await page.evaluate((id) => window.wanggeMap.getFeatureState({ source: 'edit-blocks', id }).color, fx.block.id);
check(typeof colour === 'string', `the block is recoloured by feature state (${colour})`);
await page.screenshot({ path: `${artifacts}/editor-paint.png` });

// 2. undo restores, redo re-applies, keyboard undo restores again
await page.getByTestId('undo').click();
check(await households(fx.a.key) === a0 && await households(fx.b.key) === b0, 'undo restores both grids');
await page.getByTestId('redo').click();
check(await households(fx.b.key) === b0 + fx.block.households, 'redo re-applies the stroke');
await page.keyboard.press('Control+z');
check(await households(fx.b.key) === b0, 'Ctrl+Z undoes');

// 3. brush: a drag from the border block across its neighbour in A sweeps both into B (one undo step)
await page.getByTestId('tool-brush').click();
const nbPx = await screen(fx.neighbour.x, fx.neighbour.y);
await page.mouse.move(blockPx.x, blockPx.y);
await page.mouse.down();
for (let i = 1; i <= 8; i++) await page.mouse.move(blockPx.x + (nbPx.x - blockPx.x) * i / 8, blockPx.y + (nbPx.y - blockPx.y) * i / 8);
await page.mouse.up();
const swept = (await households(fx.b.key)) - b0;
check(swept >= fx.block.households + fx.neighbour.households, `the brush swept the border block and its neighbour (${swept} households moved)`);
await page.getByTestId('undo').click();
check(await households(fx.b.key) === b0, 'one undo takes back the whole brush stroke');

// 3b. drag the border: starting inside B and dragging over the border block sweeps it into B, whatever grid is active
await page.getByTestId('tool-click').click();
await row(fx.a.key).click();
await page.getByTestId('tool-border').click();
const bPx = await screen(fx.b_block.x, fx.b_block.y);
await page.mouse.move(bPx.x, bPx.y);
await page.mouse.down();
for (let i = 1; i <= 10; i++) await page.mouse.move(bPx.x + (blockPx.x - bPx.x) * i / 10, bPx.y + (blockPx.y - bPx.y) * i / 10);
await page.mouse.up();
check(await households(fx.b.key) >= b0 + fx.block.households, 'dragging B\'s border over the border block moved it into B');
check(await households(fx.a.key) <= a0 - fx.block.households, '… and out of A');
await page.getByTestId('undo').click();
check(await households(fx.a.key) === a0 && await households(fx.b.key) === b0, 'undo puts the border back');
await row(fx.b.key).click();

// 4. lasso (terra-draw freehand, click-drag): a loop around the block moves it into the active grid
await page.getByTestId('tool-lasso').click();
const r = 30;
await page.mouse.move(blockPx.x - r, blockPx.y - r);
await page.mouse.down();
for (const [dx, dy] of [[r, -r], [r, r], [-r, r], [-r, -r]]) await page.mouse.move(blockPx.x + dx, blockPx.y + dy, { steps: 8 });
await page.mouse.up();
await page.waitForTimeout(300);
check(await households(fx.b.key) === b0 + fx.block.households, 'the lasso moved the block inside it');
await page.getByTestId('undo').click();

// 5. erase makes a gap; publishing shows the diff, is refused, and the gap is highlighted
await page.getByTestId('tool-erase').click();
await page.mouse.move(blockPx.x, blockPx.y);
await page.mouse.down();
await page.mouse.up();
await page.getByTestId('unassigned').waitFor();
check(await page.getByTestId('unassigned').textContent() === '1', 'erasing leaves one block in no grid');
await page.getByTestId('publish').click();
await page.getByTestId('publish-confirm').waitFor();
check(Number(await page.getByTestId('diff-blocks').textContent()) === 1, 'the publish dialog shows the diff (1 block changes)');
await page.getByTestId('publish-confirm-yes').click();
await page.getByTestId('editor-message').filter({ hasText: /问题|problem/ }).waitFor();
const marked = await page.evaluate((id) => window.wanggeMap.getFeatureState({ source: 'edit-blocks', id }).problem, fx.block.id);
check(marked === true, 'publishing with a gap is refused and the gap block is highlighted');
await page.screenshot({ path: `${artifacts}/editor-gap.png` });

// 6. a concurrent publish is detected: another planner publishes first; rebase re-applies my change and publishes
await page.getByTestId('tool-click').click();
await row(fx.b.key).click();
await page.mouse.click(blockPx.x, blockPx.y);
check(await page.getByTestId('unassigned').count() === 0, 'the gap is closed by painting the block into B');
await page.waitForFunction(() => document.querySelector('[data-testid=save-state]').textContent.match(/已保存|Saved/), null, { timeout: 15000 });
const other = await fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: fx.other_username, password: fx.password }) });
const cookie = other.headers.get('set-cookie').split(';')[0];
const csrf = (await other.json()).account.csrf_token;
const headers = { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf };
const inForce = await (await fetch(`${base}/api/communities/${fx.community}/grids`, { headers })).json();
const grids = inForce.grids.features.map((f) => ({ key: f.properties.key, kind: f.properties.kind, blocks: f.properties.blocks }));
const theirs = await (await fetch(`${base}/api/communities/${fx.community}/plans`, { method: 'POST', headers, body: JSON.stringify({ grids, based_on: inForce.plan.id, note: 'someone else' }) })).json();
const published = await fetch(`${base}/api/plans/${theirs.plan.id}/publish`, { method: 'POST', headers, body: '{}' });
check(published.status === 200, 'another planner publishes a version meanwhile');
await page.getByTestId('publish').click();
await page.getByTestId('publish-confirm-yes').click();
await page.getByTestId('conflict').waitFor();
check(true, 'the concurrent publish is detected: the editor offers to keep mine or rebase');
await page.getByTestId('editor-message').filter({ hasText: /对方版本不同|differ from their/ }).waitFor();
const shown = await page.evaluate((id) => window.wanggeMap.getFeatureState({ source: 'edit-blocks', id }).moved, fx.block.id);
check(shown === true, 'both versions are shown: the block where mine differs from theirs is outlined');
await page.screenshot({ path: `${artifacts}/editor-conflict.png` });
await page.getByTestId('rebase').click();
await page.getByTestId('editor-message').filter({ hasText: /重新应用的地块：\s*1|re-applied:\s*1/ }).waitFor();
check(await households(fx.b.key) === b0 + fx.block.households, 'rebase re-applied my change on top of their version');
await page.waitForFunction(() => document.querySelector('[data-testid=save-state]').textContent.match(/已保存|Saved/), null, { timeout: 15000 });
await page.getByTestId('publish').click();
await page.getByTestId('publish-confirm-yes').click();
await page.getByTestId('editor-message').filter({ hasText: /已发布|Published/ }).waitFor({ timeout: 10000 }).catch(async (e) => fail('no publish: ' + (await page.locator('[data-testid=editor]').textContent()).slice(0, 400)));
const now = await (await fetch(`${base}/api/communities/${fx.community}/grids`, { headers })).json();
const ownerNow = now.grids.features.find((f) => f.properties.blocks.includes(fx.block.id)).properties.key;
check(ownerNow === fx.b.key, `my version is published: the block is in grid ${fx.b.key} now`);

// 6b. split a block into building cells, then assign one cell (part of the block) to another grid
await page.getByTestId('tool-split').click();
await page.mouse.click(blockPx.x, blockPx.y);
await page.getByTestId('editor-message').filter({ hasText: /拆分|Split/ }).waitFor();
const cellList = await page.evaluate(async ([c, id]) => {
  const fc = await (await fetch(`/api/communities/${c}/blocks`)).json();
  return fc.features.map((f) => f.properties).filter((p) => p.parent_id === id && p.households > 0);
}, [fx.community, fx.block.id]);
check(cellList.length >= 2, `the block was split into ${cellList.length} building cells with households`);
const bAfterSplit = await households(fx.b.key);
check(bAfterSplit === b0 + fx.block.households, `the cells stay in the block's grid (${bAfterSplit} = ${b0} + ${fx.block.households})`);
await page.getByTestId('tool-click').click();
await row(fx.a.key).click();
const cell = cellList[0];
const cellPx = await screen(cell.x, cell.y);
const aBefore = await households(fx.a.key);
await page.mouse.click(cellPx.x, cellPx.y);
check(await households(fx.a.key) === aBefore + cell.households, `one cell (${cell.households} of the block's ${fx.block.households} households) moved into A`);
await page.screenshot({ path: `${artifacts}/editor-split.png` });
await page.getByTestId('undo').click();
check(await households(fx.a.key) === aBefore, 'undo takes the cell back');

// 6c. cut a block in two along a drawn line; both halves stay in its grid
const aBeforeCut = await households(fx.a.key);
await page.getByTestId('editor-message').click(); // dismiss the last message, so the next one is the cut's
await page.getByTestId('tool-cut').click();
await page.mouse.move(nbPx.x - 150, nbPx.y + 3);
await page.mouse.down();
for (let i = 1; i <= 10; i++) await page.mouse.move(nbPx.x - 150 + 30 * i, nbPx.y + 3);
await page.mouse.up();
await page.getByTestId('editor-message').filter({ hasText: /拆分.*2|Split.*2/ }).waitFor();
const halves = await page.evaluate(async ([c, id]) => {
  const fc = await (await fetch(`/api/communities/${c}/blocks`)).json();
  return fc.features.map((f) => f.properties).filter((p) => p.parent_id === id).map((p) => p.households);
}, [fx.community, fx.neighbour.id]);
check(halves.length === 2 && halves.reduce((a, b) => a + b, 0) === fx.neighbour.households, `the line cut the block in two (${halves.join(' + ')} households)`);
check(await households(fx.a.key) === aBeforeCut, 'both halves stay in the block\'s grid');
await page.screenshot({ path: `${artifacts}/editor-cut.png` });
await page.getByTestId('tool-click').click();

// 7. export → import round trip: the exported layer imported back puts every block where it was
const href = await page.getByTestId('export-geojson').getAttribute('href');
const layer = await page.evaluate(async (h) => (await fetch(h)).text(), href);
writeFileSync(`${artifacts}/exported.geojson`, layer);
await page.getByTestId('import-file').setInputFiles({ name: 'grids.geojson', mimeType: 'application/geo+json', buffer: Buffer.from(layer) });
await page.getByTestId('editor-message').filter({ hasText: /已导入|Imported/ }).waitFor();
const text = await page.getByTestId('editor-message').textContent();
check(/: 0 .*, 0 /.test(text), `export → import round trip: nothing between or across grids (${text})`);
check(await households(fx.b.key) === b0 + fx.block.households, 'the imported draft has the same counts');
await page.screenshot({ path: `${artifacts}/editor-import.png` });
// … and the same through a zipped Shapefile
const shpHref = await page.getByTestId('export-shapefile').getAttribute('href');
const zip = await page.evaluate(async (h) => Array.from(new Uint8Array(await (await fetch(h)).arrayBuffer())), shpHref);
await page.evaluate(() => { document.querySelector('[data-testid=editor-message]').click(); });
await page.getByTestId('import-file').setInputFiles({ name: 'grids.zip', mimeType: 'application/zip', buffer: Buffer.from(zip) });
await page.getByTestId('editor-message').filter({ hasText: /已导入|Imported/ }).waitFor();
const shpText = await page.getByTestId('editor-message').textContent();
check(/: 0 .*, 0 /.test(shpText), `Shapefile export → import round trip: nothing between or across (${shpText})`);
check(await households(fx.b.key) === b0 + fx.block.households, 'the Shapefile-imported draft has the same counts');

// 7b. a special grid picked from blocks (it overlaps the natural grids, which do not change)
const bBefore = await households(fx.b.key);
await page.getByTestId('tool-special').click();
await page.mouse.click(nbPx.x, nbPx.y);
await page.mouse.click(bPx.x, bPx.y);
check(await page.getByTestId('special-count').textContent() === '2', 'two blocks picked for a special grid');
await page.getByTestId('special-name').fill('安全生产专项网格');
await page.getByTestId('special-save').click();
await page.getByTestId('editor-message').filter({ hasText: /专项网格已保存|Special grid saved/ }).waitFor();
const specials = await page.evaluate(async () => (await fetch('/api/special-grids')).json());
const mine = specials.features.find((f) => f.properties.name === '安全生产专项网格');
check(mine && mine.properties.blocks.length === 2 && mine.properties.theme === 'safety', 'the special grid is stored with its two blocks');
check(await households(fx.b.key) === bBefore, 'the natural grids are unchanged by the overlay');

// 7c. a special grid drawn as a free polygon (terra-draw): corners clicked a few pixels off a block's corners snap
// onto them
const bFeature = await page.evaluate(async (id) => (await fetch(`/api/blocks/${id}`)).json(), fx.b_block.id);
const ring = (bFeature.geometry.type === 'MultiPolygon' ? bFeature.geometry.coordinates[0][0] : bFeature.geometry.coordinates[0]).slice(0, -1);
const corners = ring.filter((_, i) => i % Math.max(1, Math.floor(ring.length / 4)) === 0).slice(0, 4);
await page.getByTestId('tool-polygon').click();
for (const [lon, lat] of corners) {
  const p = await screen(lon, lat);
  await page.mouse.click(p.x + 4, p.y + 3);
}
// terra-draw closes a polygon with a click on its first corner
const firstPx = await screen(corners[0][0], corners[0][1]);
await page.mouse.click(firstPx.x, firstPx.y);
check(await page.getByTestId('special-count').textContent() === String(corners.length), `${corners.length} corners clicked`);
await page.getByTestId('special-name').fill('河长制网格');
await page.getByTestId('special-theme').selectOption('river');
await page.getByTestId('special-save').click();
await page.getByTestId('editor-message').filter({ hasText: /角点|corners/ }).waitFor();
const drawn = (await page.evaluate(async () => (await fetch('/api/special-grids')).json())).features.find((f) => f.properties.name === '河长制网格');
const drawnRing = drawn.geometry.coordinates[0][0];
const snapped = corners.every(([x, y]) => drawnRing.some(([u, v]) => Math.abs(u - x) < 1e-6 && Math.abs(v - y) < 1e-6));
check(snapped && drawn.properties.theme === 'river', 'the drawn special grid\'s corners snapped onto the block\'s corners');
await page.screenshot({ path: `${artifacts}/editor-special.png` });
await page.getByTestId('tool-click').click();

// 8. version history: the diff between the version in force and the newest draft (the split block's cells are new),
// shown on the map
const versions = await page.evaluate(async (c) => (await fetch(`/api/communities/${c}/plans`)).json(), fx.community);
const first = versions.find((p) => p.status === 'published' && p.valid_to === null).id;
const current = versions.filter((p) => p.status === 'draft').sort((x, y) => y.version - x.version)[0].id;
await page.getByTestId('history').click();
await page.waitForFunction((n) => document.querySelectorAll('[data-testid=history-older] option').length > n, 2);
await page.getByTestId('history-older').selectOption(String(first));
await page.getByTestId('history-newer').selectOption(String(current));
await page.getByTestId('history-compare').click();
await page.getByTestId('history-result').waitFor();
const changed = Number(await page.getByTestId('history-result').locator('b').first().textContent());
check(changed >= cellList.length, `version history: ${changed} block(s) differ between the version in force and the newest draft`);
// The newest draft traced to the version it replaces: the grids the edits touched, each with its origin.
await page.getByTestId('lineage').waitFor();
const origins = await page.locator('[data-testid=lineage] li').evaluateAll((lis) => lis.map((li) => li.dataset.origin));
check(origins.length >= 1 && origins.every((o) => ['reshaped', 'split', 'merged', 'new'].includes(o)),
  `the draft's grids traced to the version in force: ${origins.join(', ')}`);
await page.waitForTimeout(500);
const movedOnMap = await page.evaluate((id) => window.wanggeMap.getFeatureState({ source: 'edit-blocks', id }).moved, cellList[0].id);
await page.screenshot({ path: `${artifacts}/editor-history.png` });
check(movedOnMap === true, 'the blocks that differ are outlined on the map');

// 9. suggest grids: the partitioner divides the whole community into a new draft, which the editor opens and
// sums up; then "rebalance" re-divides only the active grid and the grids touching it
const getJson = (url) => page.evaluate(async (u) => (await fetch(u)).json(), url);
const newestDraft = async () => (await getJson(`/api/communities/${fx.community}/plans`)).filter((p) => p.status === 'draft').sort((x, y) => y.id - x.id)[0];
const gridsOf = async (id) => (await getJson(`/api/plans/${id}`)).grids.features.map((f) => f.properties);
const before = (await newestDraft()).id;
// first the policy tool: a small block of several buildings is marked to be divided by building whatever it holds
await page.getByTestId('tool-policy').click();
await page.getByTestId('policy-choice').selectOption('always');
await page.evaluate(([lon, lat]) => window.wanggeMap.jumpTo({ center: [lon, lat], zoom: 17 }), [fx.small.x, fx.small.y]);
await idle();
const smallPx = await screen(fx.small.x, fx.small.y);
await page.mouse.click(smallPx.x, smallPx.y);
await page.getByTestId('editor-message').filter({ hasText: /已设定地块|Set for block/ }).waitFor();
check((await getJson(`/api/blocks/${fx.small.id}`)).properties.split_policy === 'always', `the policy tool marks block ${fx.small.id} to be divided by building`);
await page.screenshot({ path: `${artifacts}/editor-policy.png` });
await page.getByTestId('tool-click').click();
await page.getByTestId('editor-message').click().catch(() => {});
await page.getByTestId('suggest').click();
await page.getByTestId('editor-message').filter({ hasText: /新草稿|New draft/ }).waitFor({ timeout: 60000 });
const suggested = await newestDraft();
check(suggested.id > before, `the suggestion is a new draft (${suggested.id})`);
const suggestedGrids = await gridsOf(suggested.id);
const natural = suggestedGrids.filter((g) => g.kind === 'natural');
check((await page.getByTestId('grid-row').count()) === suggestedGrids.filter((g) => g.blocks.length > 0).length, `the editor shows the suggestion's ${suggestedGrids.length} grids`);
check((await page.getByTestId('unassigned').count()) === 0, 'the suggestion leaves no block unassigned');
check((await page.locator('[data-testid=grid-row] button.warn').count()) === 0, 'every suggested grid is in one piece');
const rowHouseholds = await page.getByTestId('row-households').allTextContents();
const inBand = rowHouseholds.map(Number).filter((h) => Math.abs(h - 300) <= 30).length;
const message = await page.getByTestId('editor-message').textContent();
check(message.includes(`${natural.length}`) && message.includes(`${inBand}`), `the editor sums the suggestion up: "${message}"`);
check(natural.length > 0 && natural.every((g) => g.within_band), `every one of the ${natural.length} suggested grids is in the band (${natural.map((g) => g.households).join(', ')})`);
check((await getJson(`/api/blocks/${fx.small.id}`)).properties.retired === true, 'the block the planner marked was divided by building');
const edgeIds = (await getJson(`/api/communities/${fx.community}/block-edges`)).features.map((f) => f.properties.id);
const throughCompounds = await page.evaluate((ids) => ids.filter((id) => window.wanggeMap.getFeatureState({ source: 'edit-edges', id }).in_compound).length, edgeIds);
check(throughCompounds > 0, `grid boundaries through compounds are drawn in their own colour (${throughCompounds} edges)`);
await page.evaluate(([lon, lat]) => window.wanggeMap.jumpTo({ center: [lon, lat], zoom: 15.5 }), [fx.small.x, fx.small.y]);
await idle();
await page.screenshot({ path: `${artifacts}/editor-suggest.png` });

const focus = natural[0].key;
const owner = new Map(suggestedGrids.flatMap((g) => g.blocks.map((b) => [b, g.key])));
const edges = (await getJson(`/api/communities/${fx.community}/block-edges`)).features.map((f) => f.properties);
const touching = new Set([focus]);
for (const { a, b } of edges) {
  if (owner.get(a) === focus) touching.add(owner.get(b));
  if (owner.get(b) === focus) touching.add(owner.get(a));
}
await page.getByTestId('editor-message').click();
await row(focus).click();
await page.getByTestId('rebalance').click();
await page.getByTestId('editor-message').filter({ hasText: /新草稿|New draft/ }).waitFor({ timeout: 60000 });
const rebalanced = await newestDraft();
check(rebalanced.id > suggested.id && (rebalanced.note || '').includes(focus), `rebalancing around ${focus} makes a new draft`);
const after = new Map((await gridsOf(rebalanced.id)).map((g) => [g.key, [...g.blocks].sort().join(',')]));
const changedGrids = suggestedGrids.filter((g) => after.get(g.key) !== [...g.blocks].sort().join(',')).map((g) => g.key);
check(changedGrids.every((k) => touching.has(k)), `rebalancing changed only ${focus} and grids touching it (${changedGrids.length} changed, ${touching.size} near)`);
check(after.size === suggestedGrids.length, 'rebalancing keeps the number of grids');

// 10. rebalance the community: every grid inside the band stays as it is; then one undo goes back to the draft before
await page.getByTestId('editor-message').click();
await page.getByTestId('rebalance-community').click();
await page.getByTestId('editor-message').filter({ hasText: /保持不变|kept as they were/ }).waitFor({ timeout: 60000 });
const community = await newestDraft();
check(community.id > rebalanced.id && (community.note || '').startsWith('community rebalanced'), `rebalancing the community makes a new draft (${community.note})`);
const beforeGrids = await gridsOf(rebalanced.id);
const afterCommunity = new Map((await gridsOf(community.id)).map((g) => [g.key, [...g.blocks].sort().join(',')]));
const inBandBefore = beforeGrids.filter((g) => g.kind === 'natural' && g.within_band);
check(inBandBefore.every((g) => afterCommunity.get(g.key) === [...g.blocks].sort().join(',')), `the ${inBandBefore.length} grids in the band are kept exactly`);
await page.screenshot({ path: `${artifacts}/editor-rebalance-community.png` });
await page.getByTestId('editor-message').click();
await page.getByTestId('undo-proposal').click();
await page.getByTestId('editor-message').filter({ hasText: /已恢复|Back to the plan/ }).waitFor({ timeout: 30000 });
const rowsNow = await page.getByTestId('grid-row').count();
check(rowsNow === beforeGrids.filter((g) => g.blocks.length > 0).length, `one undo shows the draft before the rebalance again (${rowsNow} grids)`);
check((await page.getByTestId('undo-proposal').count()) === 0, 'the undo is spent');
await page.screenshot({ path: `${artifacts}/editor-undo-proposal.png` });

const strokes = await page.evaluate(() => window.wanggeStrokeMs || []);
strokes.sort((x, y) => x - y);
console.log(`stroke latency (pointer → counts updated), ${strokes.length} strokes: median ${strokes[Math.floor(strokes.length / 2)].toFixed(1)} ms, max ${strokes[strokes.length - 1].toFixed(1)} ms`);
await browser.close();
console.log('all editor checks passed');
