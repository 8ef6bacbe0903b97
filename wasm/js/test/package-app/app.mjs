// An app that installed @jitconsent/consent (test/package.test.mjs): it
// loads the module from the package, as the package's exports name it, raw
// and Brotli-compressed, makes a fresh install's first decision, reads the
// precomputed first launch, and prints what it saw as JSON.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync } from 'node:zlib';
import { Consent, firstLaunchActions } from '@jitconsent/consent';
import { openQueue } from '@jitconsent/consent/records';
import { webStorage } from '@jitconsent/consent/storage';

const file = (spec) => fileURLToPath(import.meta.resolve(spec));
const pkg = JSON.parse(readFileSync(file('@jitconsent/consent/package.json'), 'utf8'));
const launch = '{"now":"2026-03-01T10:00:00+08:00","locale":"zh-CN","device":{"platform":"android","version":"33"},"os":{},"event":{"type":"launch"}}';

const engine = await Consent.load(readFileSync(file('@jitconsent/consent/consent.wasm')));
const fromBr = await Consent.load(brotliDecompressSync(readFileSync(file('@jitconsent/consent/consent.wasm.br'))));
const decision = engine.decideJSON(launch);
console.log(JSON.stringify({
  version: pkg.version,
  info: engine.info(),
  infoBr: fromBr.info(),
  decision,
  decisionBr: fromBr.decideJSON(launch),
  launch: JSON.parse(decision).actions.map((a) => a.type),
  subpaths: [openQueue.name, webStorage.name],
  firstLaunch: firstLaunchActions(JSON.parse(readFileSync(file('@jitconsent/consent/first-launch.json'), 'utf8')), 'zh-CN', 'android'),
}));
