// The example mini-programs (examples/wechat, examples/alipay), as far as
// Node can stand in for the platforms: no WebAssembly, TextEncoder or
// crypto globals; WXWebAssembly (WeChat) and my.WebAssembly (Alipay),
// which take a path in the package; the platforms' storage calls
// (standins.mjs); App and Page. Each page is loaded as the IDE would load
// it, from the files make examples prepared, and driven as a user would:
// the precomputed popup at once, an answer, the module's record in
// storage, and a second launch that shows nothing.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { fakeWxStorage, fakeMyStorage } from './standins.mjs';

const root = new URL('../../../', import.meta.url).pathname;
const examples = join(root, 'examples');
const RealWebAssembly = globalThis.WebAssembly;

delete globalThis.TextEncoder;
delete globalThis.TextDecoder;
delete globalThis.crypto;
delete globalThis.WebAssembly;

// A package path, as the platforms resolve it: from the project's root.
function packageFile(project, path) {
  if (typeof path !== 'string' || !path.startsWith('/')) throw new TypeError(`${project}: takes an absolute path in the package, not ${path}`);
  return readFileSync(join(examples, project, path));
}

const wxMap = new Map();
const myMap = new Map();
globalThis.wx = Object.assign(fakeWxStorage(wxMap), { getSystemInfoSync: () => ({ SDKVersion: '3.4.1', language: 'zh_CN' }) });
globalThis.WXWebAssembly = {
  async instantiate(path, imports) {
    if (!path.endsWith('.wasm') && !path.endsWith('.wasm.br')) throw new Error(`WXWebAssembly: ${path} is not .wasm or .wasm.br`);
    let bytes = packageFile('wechat', path);
    if (path.endsWith('.br')) bytes = brotliDecompressSync(bytes);
    return RealWebAssembly.instantiate(bytes, imports);
  },
};
globalThis.my = Object.assign(fakeMyStorage(myMap), {
  getSystemInfoSync: () => ({ SDKVersion: '2.9.0', language: 'en-US' }),
  WebAssembly: {
    async instantiate(path, imports) {
      if (!path.endsWith('.wasm')) throw new Error(`my.WebAssembly: ${path}: Alipay documents no compressed module`);
      return RealWebAssembly.instantiate(packageFile('alipay', path), imports);
    },
  },
});
const pages = {};
let registering = '';
globalThis.App = () => {};
globalThis.Page = (def) => {
  pages[registering] = def;
};

async function load(project) {
  registering = project;
  await import(join(examples, project, 'app.js'));
  await import(join(examples, project, 'pages', 'index', 'index.js'));
  return pages[project];
}

// open makes a page instance as the framework does and runs its onLoad.
function open(def) {
  const page = Object.create(def);
  page.data = { ...def.data };
  page.shown = [];
  page.setData = (d) => {
    Object.assign(page.data, d);
    if ('popup' in d) page.shown.push(d.popup ? d.popup.title : null);
  };
  page.onLoad();
  return page;
}

for (const [project, map, title] of [['wechat', wxMap, '隐私政策'], ['alipay', myMap, 'Privacy Policy']]) {
  test(`${project}: the project has what its IDE opens`, () => {
    const app = JSON.parse(readFileSync(join(examples, project, 'app.json'), 'utf8'));
    assert.deepEqual(app.pages, ['pages/index/index']);
    const page = project === 'wechat' ? ['index.js', 'index.json', 'index.wxml', 'index.wxss'] : ['index.acss', 'index.axml', 'index.js', 'index.json'];
    assert.deepEqual(readdirSync(join(examples, project, 'pages', 'index')).sort(), page);
    const config = project === 'wechat' ? 'project.config.json' : 'mini.project.json';
    JSON.parse(readFileSync(join(examples, project, config), 'utf8'));
  });

  test(`${project}: a fresh install sees the popup at once, and accepting it is the module's record`, async () => {
    map.clear();
    const page = open(await load(project));
    assert.equal(page.data.popup && page.data.popup.title, title, 'the precomputed popup, before the module is ready');
    const response = await page.onAccept();
    assert.ok(response && !response.error, JSON.stringify(response));
    await page.launch.ready;
    assert.equal(page.data.popup, null, 'the popup is taken down');
    const state = JSON.parse(map.get('jitconsent.state').data ?? map.get('jitconsent.state'));
    assert.equal(state.accepted, '2022-03-29', JSON.stringify(state));
    assert.equal(page.data.error, '');
  });

  test(`${project}: the next launch shows no popup`, async () => {
    const page = open(await load(project));
    await page.launch.ready;
    assert.equal(page.data.popup, null);
    assert.equal(page.data.error, '');
  });

  test(`${project}: declining gives basic mode`, async () => {
    map.clear();
    const page = open(await load(project));
    await page.onDecline();
    await page.launch.ready;
    assert.equal(page.data.basicMode, true);
  });
}

test('wechat: app.json carries the permission block promptc export wrote', async () => {
  const { exportedBlockDiffers } = await import(join(examples, 'miniprogram', 'prepare.mjs'));
  const app = JSON.parse(readFileSync(join(examples, 'wechat', 'app.json'), 'utf8'));
  const exported = JSON.parse(readFileSync(join(root, 'dist', 'platform', 'wechat', 'app.permission.json'), 'utf8'));
  assert.deepEqual(exportedBlockDiffers(app, exported), []);
  assert.deepEqual(exportedBlockDiffers({ ...app, permission: {} }, exported), ['permission']);
});

test('wechat: the main package stays under 2 MB with the compressed module', () => {
  let n = statSync(join(examples, 'wechat', 'consent.wasm.br')).size;
  for (const f of readdirSync(join(examples, 'wechat', 'lib'))) n += statSync(join(examples, 'wechat', 'lib', f)).size;
  assert.ok(n < 2 * 1024 * 1024, `${n} bytes`);
});
