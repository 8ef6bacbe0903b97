// pack.mjs: packs the npm package of a build (make npm-pack). It stages
// wasm/js's package files in a temporary folder with package.json's
// "version" set to the build's version (scripts/version.sh: X.Y.Z at a
// release tag, 0.0.0-g<commit> otherwise), adds the module and its Brotli
// copy and the precomputed first launch (prepack.mjs, which checks the
// module is that build and the first launch that module's bundle), and runs npm
// pack there, so that nothing in the git tree changes. A release version
// must have its CHANGELOG.md entry and be package.json's own version (the
// release commit sets both).
//
//   node scripts/pack.mjs --wasm dist/consent.wasm [--first-launch dist/first-launch.json] --version V --out DIR
//
// prints the tarball's path.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { prepare, defaultFirstLaunch } from './prepack.mjs';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));

/** The semver.org grammar: what npm accepts as a version. */
export const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** A development build's version (version.sh): never a release. */
export const isRelease = (v) => !v.startsWith('0.0.0-');

/** The versions CHANGELOG.md has an entry for ("## 1.2.0 - 2026-12-01"). */
export function changelogVersions(text) {
  return [...text.matchAll(/^## \[?([^\]\s]+)\]?/gm)].map((m) => m[1]);
}

/**
 * Packs the package of version with the module at wasm and the first launch
 * at firstLaunch (default: dist/first-launch.json) into out; returns the
 * tarball's path.
 */
export async function pack({ wasm, version, out, firstLaunch = defaultFirstLaunch }) {
  if (!SEMVER.test(version)) throw new Error(`pack: ${JSON.stringify(version)} is not a semver version (scripts/version.sh makes one)`);
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  if (isRelease(version)) {
    if (pkg.version !== version) {
      throw new Error(`pack: release ${version}, but wasm/js/package.json says ${pkg.version}: the release commit sets it (README.md, "Releases")`);
    }
    if (!changelogVersions(readFileSync(join(pkgDir, 'CHANGELOG.md'), 'utf8')).includes(version)) {
      throw new Error(`pack: release ${version} has no entry in wasm/js/CHANGELOG.md`);
    }
  }
  const stage = mkdtempSync(join(tmpdir(), 'jitconsent-npm-'));
  try {
    for (const f of pkg.files) {
      if (f === 'consent.wasm' || f === 'consent.wasm.br' || f === 'first-launch.json') continue; // prepare writes them
      cpSync(join(pkgDir, f), join(stage, f), { recursive: true });
    }
    // The packed manifest: the build's version; no scripts, which name
    // files that are not in the package.
    const staged = { ...pkg, version };
    delete staged.scripts;
    writeFileSync(join(stage, 'package.json'), JSON.stringify(staged, null, 2) + '\n');
    await prepare(stage, resolve(wasm), resolve(firstLaunch));
    const json = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', resolve(out)], {
      cwd: stage,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    return join(resolve(out), JSON.parse(json)[0].filename);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { wasm: { type: 'string' }, 'first-launch': { type: 'string' }, version: { type: 'string' }, out: { type: 'string' } },
  });
  if (!values.wasm || !values.version || !values.out) {
    console.error('usage: node scripts/pack.mjs --wasm dist/consent.wasm [--first-launch dist/first-launch.json] --version V --out DIR');
    process.exit(2);
  }
  try {
    const { wasm, version, out } = values;
    console.log(await pack({ wasm, version, out, firstLaunch: values['first-launch'] || defaultFirstLaunch }));
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
