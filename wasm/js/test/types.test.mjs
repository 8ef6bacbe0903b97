// The host's types as an app gets them: its files copied beside the app's
// code (or installed), checked by TypeScript in strict mode with Node's
// module resolution. They must be found beside the .mjs files (.d.mts),
// leave the DOM's Request, Response and Event alone, and describe what the
// calls take and return; a wrong use must be an error.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const here = new URL('..', import.meta.url).pathname;
const tsc = new URL('../../../tools/typescript/node_modules/typescript/bin/tsc', import.meta.url).pathname;

function project(app, { dts = '.d.mts' } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'consent-types-'));
  for (const f of ['consent', 'runner', 'storage', 'records']) {
    copyFileSync(join(here, f + '.mjs'), join(dir, f + '.mjs'));
    copyFileSync(join(here, f + '.d.mts'), join(dir, f + '.d.mts'));
  }
  if (dts !== '.d.mts') renameSync(join(dir, 'consent.d.mts'), join(dir, 'consent' + dts));
  writeFileSync(join(dir, 'app.mts'), app);
  return dir;
}

function check(dir) {
  assert.ok(existsSync(tsc), `no TypeScript at ${tsc}: make js-test installs it (npm ci in tools/typescript)`);
  try {
    execFileSync(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'node16', '--moduleResolution', 'node16',
      '--target', 'es2022', '--lib', 'es2022,dom', join(dir, 'app.mts')], { encoding: 'utf8' });
    return '';
  } catch (e) {
    return String(e.stdout) + String(e.stderr);
  }
}

const good = `
import { Consent, type ConsentRequest, type ConsentResponse, type ConsentEvent } from './consent.mjs';
import { runStep, sdkAllowed } from './runner.mjs';
import { memoryStorage } from './storage.mjs';

// The DOM's types, in the same file: not shadowed.
const page: Response = new Response('ok');
const fetched: Request = new Request('https://example.com/consent.wasm');
const clicked: Event = new Event('click');

async function start(): Promise<ConsentResponse> {
  const engine = await Consent.load(page);
  const event: ConsentEvent = { type: 'launch' };
  const request: ConsentRequest = {
    now: '2026-03-01T10:00:00+08:00', locale: 'zh-CN', device: { platform: 'android', version: '33' }, event,
  };
  const r = engine.decide(request);
  if ('error' in r) return r;
  for (const a of r.actions) if (a.type === 'show_policy') a.accept.toUpperCase();
  return r;
}
void start; void fetched; void clicked; void runStep; void sdkAllowed; void memoryStorage;
`;

test("the types are found beside the .mjs files, and leave the DOM's alone", () => {
  assert.equal(check(project(good)), '');
});

test('a wrong use is a type error', () => {
  const out = check(project(good + `
const wrong: ConsentRequest = { now: 1, locale: 'zh-CN', device: { platform: 'android', version: '33' }, event: { type: 'launch' } };
const alsoWrong: ConsentEvent = { type: 'lunch' };
`));
  assert.match(out, /error TS2322/);
  assert.match(out, /"lunch"/);
});

test('declarations named .d.ts are not found beside a .mjs (why the file is consent.d.mts)', () => {
  assert.match(check(project(good, { dts: '.d.ts' })), /TS7016: Could not find a declaration file for module '\.\/consent\.mjs'/);
});
