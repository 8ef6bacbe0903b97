// The npm package as a user gets it: make npm-pack's path (scripts/pack.mjs)
// packs this build into a temporary folder, npm installs the tarball into a
// fresh app, and the app loads the module from node_modules, in Node and in
// headless Chromium: the package holds consent.wasm and consent.wasm.br (the
// same bytes, Brotli-compressed), and the module's build version
// (consent_info's "module") is the package's version, which is this build's
// (CONSENT_VERSION from make, else scripts/version.sh). Also the version
// mapping itself, on throwaway git repositories, and the guards: prepack
// refuses a module of another version, and a release version needs
// package.json's version and a CHANGELOG entry.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync } from 'node:zlib';
import { pack, SEMVER, changelogVersions } from '../scripts/pack.mjs';
import { prepare } from '../scripts/prepack.mjs';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
const repo = fileURLToPath(new URL('../../..', import.meta.url));
const versionSh = join(pkgDir, 'scripts', 'version.sh');
const wasm = join(repo, 'dist', 'consent.wasm');
const firstLaunch = join(repo, 'dist', 'first-launch.json');
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));

const version = process.env.CONSENT_VERSION || execFileSync(versionSh, { cwd: repo, encoding: 'utf8' }).trim();
for (const f of [wasm, firstLaunch]) if (!existsSync(f)) throw new Error(`no ${f}: make wasm builds it (make js-test does)`);

const tmp = mkdtempSync(join(tmpdir(), 'jitconsent-pkg-test-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

/** The installed app: pack, then npm install the tarball into a fresh folder. */
let installed;
async function install() {
  if (installed) return installed;
  const tarball = await pack({ wasm, firstLaunch, version, out: tmp });
  const app = join(tmp, 'app');
  cpSync(join(pkgDir, 'test', 'package-app'), app, { recursive: true });
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], { cwd: app, stdio: 'pipe' });
  installed = { tarball, app, dir: join(app, 'node_modules', '@jitconsent', 'consent') };
  return installed;
}

test('the build version is a semver version, and dist/consent.wasm is this build', async () => {
  assert.match(version, SEMVER);
  const { Consent } = await import('../consent.mjs');
  const info = (await Consent.load(readFileSync(wasm))).info();
  assert.equal(info.module, version, 'dist/consent.wasm is another build: make wasm');
});

test('the tarball holds the host, its types, the module, its Brotli copy and the first launch, and nothing else', async () => {
  const { tarball } = await install();
  assert.equal(tarball, join(tmp, `jitconsent-consent-${version}.tgz`));
  const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n').sort();
  assert.deepEqual(files, [
    'package/CHANGELOG.md', 'package/README.md', 'package/consent.d.mts', 'package/consent.mjs', 'package/consent.wasm',
    'package/consent.wasm.br', 'package/first-launch.json', 'package/package.json', 'package/records.d.mts', 'package/records.mjs',
    'package/runner.d.mts', 'package/runner.mjs', 'package/storage.d.mts', 'package/storage.mjs',
  ]);
});

test('installed: package.json has the build version; consent.wasm is dist/consent.wasm; consent.wasm.br decompresses to it', async () => {
  const { dir } = await install();
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  assert.equal(manifest.version, version);
  assert.equal(manifest.name, pkg.name);
  assert.deepEqual(manifest.exports, pkg.exports);
  assert.equal(manifest.scripts, undefined, 'the packed manifest names no scripts it does not hold');
  const raw = readFileSync(join(dir, 'consent.wasm'));
  assert.ok(raw.equals(readFileSync(wasm)));
  const br = readFileSync(join(dir, 'consent.wasm.br'));
  assert.ok(br.length < raw.length / 3, `consent.wasm.br is ${br.length} bytes for ${raw.length}`);
  assert.ok(brotliDecompressSync(br).equals(raw));
  assert.ok(readFileSync(join(dir, 'first-launch.json')).equals(readFileSync(firstLaunch)), 'first-launch.json is dist/first-launch.json');
});

test('installed, in Node: the app loads the module through the package exports; consent_info is the package version', async () => {
  const { app } = await install();
  const out = JSON.parse(execFileSync(process.execPath, ['app.mjs'], { cwd: app, encoding: 'utf8' }));
  assert.equal(out.version, version);
  assert.equal(out.info.module, version, "consent_info's module is the package's version");
  assert.equal(out.info.abi, 1);
  assert.equal(out.infoBr.module, version, 'the Brotli copy is the same build');
  assert.deepEqual(out.launch, ['show_policy'], "a fresh install's launch asks for the policy");
  assert.equal(out.decisionBr, out.decision, 'consent.wasm.br decides as consent.wasm does');
  assert.deepEqual(out.subpaths, ['openQueue', 'webStorage']);
  assert.deepEqual(out.firstLaunch, JSON.parse(out.decision).actions, "the package's first-launch.json is the module's answer to the launch");
});

test('installed, in headless Chromium: the page loads consent.wasm from node_modules (streamed); consent_info is the package version', async () => {
  const { app } = await install();
  const browser = ['chromium', 'chromium-browser', 'google-chrome'].find((b) => {
    try {
      execFileSync('which', [b], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  });
  assert.ok(browser, 'no Chromium on PATH: install Debian chromium (apt-get install -y chromium), as .ci/run does');
  let resolveResult;
  const result = new Promise((r) => (resolveResult = r));
  const types = { '.html': 'text/html', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };
  const server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/result') {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        res.end('ok');
        resolveResult(JSON.parse(body));
      });
      return;
    }
    const path = normalize(join(app, decodeURIComponent(new URL(req.url, 'http://x').pathname)));
    if (!path.startsWith(app) || !existsSync(path)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': types[extname(path)] || 'application/octet-stream' });
    res.end(readFileSync(path));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const profile = mkdtempSync(join(tmpdir(), 'jitconsent-chromium-'));
  const chrome = spawn(
    browser,
    ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--no-default-browser-check', `--user-data-dir=${profile}`,
      `http://127.0.0.1:${server.address().port}/index.html`],
    { stdio: 'ignore', detached: true },
  );
  const exited = new Promise((r) => chrome.on('exit', (code) => r(code)));
  let timer;
  try {
    const out = await Promise.race([
      result,
      exited.then((code) => Promise.reject(new Error(`${browser} exited (${code}) before the page answered`))),
      new Promise((_, rej) => (timer = setTimeout(() => rej(new Error('the page did not answer in 60 s')), 60_000))),
    ]);
    assert.equal(out.error, undefined, out.error);
    assert.equal(out.version, version);
    assert.equal(out.info.module, version, "consent_info's module in the browser is the package's version");
    assert.equal(out.streamed, true, 'served as application/wasm, the module is compiled while it downloads');
    assert.deepEqual(out.launch, ['show_policy']);
  } finally {
    clearTimeout(timer);
    try {
      process.kill(-chrome.pid, 'SIGKILL'); // Chromium and its children, started here
    } catch {}
    await exited;
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
});

/** A git repository in a temporary folder with one commit. */
function gitRepo() {
  const dir = mkdtempSync(join(tmp, 'git-'));
  const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com', GIT_CONFIG_GLOBAL: '/dev/null' };
  const git = (...args) => execFileSync('git', args, { cwd: dir, env, encoding: 'utf8' }).trim();
  git('init', '-q');
  writeFileSync(join(dir, 'f'), '1');
  git('add', 'f');
  git('commit', '-qm', 'one');
  const v = () => execFileSync(versionSh, { cwd: dir, encoding: 'utf8' }).trim();
  return { dir, git, v, commit: git('rev-parse', '--short=12', 'HEAD') };
}

test('version.sh: X.Y.Z at a tag vX.Y.Z on a clean tree, 0.0.0-g<commit>[.dirty] otherwise, 0.0.0-dev outside git', () => {
  const r = gitRepo();
  assert.equal(r.v(), `0.0.0-g${r.commit}`, 'untagged');
  r.git('tag', 'latest');
  r.git('tag', 'vnext');
  assert.equal(r.v(), `0.0.0-g${r.commit}`, 'tags that are not v<semver> are no release');
  r.git('tag', 'v1.2.3-rc.1');
  assert.equal(r.v(), '1.2.3-rc.1', 'a pre-release tag');
  r.git('tag', '-a', '-m', 'release', 'v1.2.3');
  assert.equal(r.v(), '1.2.3', 'an annotated release tag wins over the pre-release on the same commit');
  writeFileSync(join(r.dir, 'f'), '2');
  assert.equal(r.v(), `0.0.0-g${r.commit}.dirty`, 'a changed tree is not the release');
  r.git('commit', '-qam', 'two');
  const next = r.git('rev-parse', '--short=12', 'HEAD');
  assert.equal(r.v(), `0.0.0-g${next}`, 'a commit after the release');
  for (const v of [r.v(), `0.0.0-g${next}.dirty`, '1.2.3', '1.2.3-rc.1', '0.0.0-g012345678901']) assert.match(v, SEMVER, v);
  const plain = mkdtempSync(join(tmp, 'plain-'));
  assert.equal(execFileSync(versionSh, { cwd: plain, encoding: 'utf8', env: { ...process.env, GIT_CEILING_DIRECTORIES: tmp } }).trim(), '0.0.0-dev');
});

test('prepack refuses a module of another version; npm pack in the package folder runs it', async () => {
  const dir = mkdtempSync(join(tmp, 'prepack-'));
  const built = (f) => f.startsWith('consent.wasm') || f === 'first-launch.json';
  for (const f of [...pkg.files.filter((f) => !built(f)), 'package.json', 'scripts']) cpSync(join(pkgDir, f), join(dir, f), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...pkg, version: '9.9.9' }));
  await assert.rejects(prepare(dir, wasm, firstLaunch), new RegExp(`is build "${version.replaceAll('.', '\\.')}", the package is version "9\\.9\\.9"`));
  assert.equal(existsSync(join(dir, 'consent.wasm')), false, 'nothing written');
  await assert.rejects(prepare(dir, join(tmp, 'missing.wasm'), firstLaunch), /no module at .*make wasm/);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...pkg, version }));
  await assert.rejects(prepare(dir, wasm, join(tmp, 'missing.json')), /no first-launch file at .*missing\.json: make wasm writes it/);
  const stale = join(tmp, 'stale-first-launch.json');
  writeFileSync(stale, readFileSync(firstLaunch, 'utf8').replace(/"bundle":"sha256:[0-9a-f]+"/, `"bundle":"sha256:${'0'.repeat(64)}"`));
  await assert.rejects(prepare(dir, wasm, stale), /stale-first-launch\.json is the first launch of bundle sha256:0+, the module embeds sha256:/);
  assert.equal(existsSync(join(dir, 'first-launch.json')), false, 'nothing written');

  // npm pack there, as in wasm/js, with the package at the module's version.
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...pkg, version }));
  const json = execFileSync('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: dir, encoding: 'utf8', env: { ...process.env, CONSENT_WASM: wasm, CONSENT_FIRST_LAUNCH: firstLaunch }, stdio: ['ignore', 'pipe', 'pipe'] });
  const names = JSON.parse(json)[0].files.map((f) => f.path);
  assert.ok(names.includes('consent.wasm') && names.includes('consent.wasm.br') && names.includes('first-launch.json'), names.join(' '));
  assert.ok(readFileSync(join(dir, 'consent.wasm')).equals(readFileSync(wasm)));
});

test('a release version must be package.json version and have a CHANGELOG entry; a version must be semver', async () => {
  await assert.rejects(pack({ wasm, firstLaunch, version: '1.2.3', out: tmp }), /release 1\.2\.3, but wasm\/js\/package\.json says 0\.0\.0-dev/);
  await assert.rejects(pack({ wasm, version: 'v1.2.3', out: tmp }), /not a semver version/);
  await assert.rejects(pack({ wasm, version: '0.0.0-0123', out: tmp }), /not a semver version/);
  const changelog = readFileSync(join(pkgDir, 'CHANGELOG.md'), 'utf8');
  assert.equal(changelogVersions(changelog)[0], 'Unreleased', 'CHANGELOG.md starts with the unreleased changes');
  assert.deepEqual(changelogVersions('# x\n## Unreleased\n## [1.1.0] - 2026-12-01\n## 1.0.0 - 2026-11-01\n'), ['Unreleased', '1.1.0', '1.0.0']);
  if (!version.startsWith('0.0.0-')) assert.ok(changelogVersions(changelog).includes(version), `a release: CHANGELOG.md has ${version}`);
});
