// What every browser script starts with: its arguments (<base-url> <artifacts-dir> <fixture-json> [extra...]),
// the artifacts folder, headless Chromium that reaches nothing but this machine, and the two ways a check ends.
import { chromium } from '../../web/node_modules/playwright-core/index.mjs';
import { mkdirSync } from 'node:fs';

/** Exit non-zero with a message: the Rust test that ran the script fails and prints it. */
export const fail = (msg) => { console.error('FAIL:', msg); process.exit(1); };
/** Fail with `msg` unless `cond`; else print it as passed. */
export const check = (cond, msg) => { if (!cond) fail(msg); console.log('ok -', msg); };

/** Parse the arguments, make the artifacts folder, launch Chromium (outside hosts resolve to nothing). */
export async function setUp() {
  const [base, artifacts, fixtureJson, ...extra] = process.argv.slice(2);
  mkdirSync(artifacts, { recursive: true });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1'],
  });
  return { base, artifacts, fixture: JSON.parse(fixtureJson), extra, browser };
}
