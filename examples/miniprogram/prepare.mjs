// Prepares the example mini-programs (examples/wechat, examples/alipay)
// to be opened in the vendors' IDEs and tested in Node: copies the
// JavaScript host into each project's lib/ (as .js: the mini-program
// tools take no .mjs), writes the precomputed first launch as a module,
// puts the module beside it (WeChat: Brotli-compressed, consent.wasm.br;
// Alipay: as built, consent.wasm), and checks that WeChat's app.json
// carries the permission block promptc export wrote (--update writes it).
//
//   node examples/miniprogram/prepare.mjs --wasm dist/consent.wasm \
//     --first-launch dist/first-launch.json --wechat-export dist/platform/wechat/app.permission.json
//
// make examples runs it. What it writes is ignored by git.
import { readFileSync, writeFileSync, mkdirSync, copyFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const examples = dirname(here);
const js = join(examples, '..', 'wasm', 'js');

function args(argv) {
  const out = { update: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--update') out.update = true;
    else if (['--wasm', '--first-launch', '--wechat-export'].includes(a) && i + 1 < argv.length) out[a.slice(2)] = argv[++i];
    else throw new Error(`prepare.mjs: unknown argument ${a} (--wasm F --first-launch F --wechat-export F [--update])`);
  }
  for (const k of ['wasm', 'first-launch', 'wechat-export']) {
    if (!out[k]) throw new Error(`prepare.mjs: --${k} is required`);
  }
  return out;
}

// The members of app.json that promptc export writes for WeChat.
export const EXPORTED = ['permission', 'requiredPrivateInfos', '__usePrivacyCheck__'];

// exportedBlockDiffers says which exported members of app differ from the
// export's, [] if none.
export function exportedBlockDiffers(app, exported) {
  return EXPORTED.filter((k) => JSON.stringify(app[k]) !== JSON.stringify(exported[k]));
}

function lib(project, firstLaunch) {
  const dir = join(examples, project, 'lib');
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(js, 'consent.mjs'), join(dir, 'consent.js'));
  copyFileSync(join(js, 'storage.mjs'), join(dir, 'storage.js'));
  copyFileSync(join(here, 'consent-page.js'), join(dir, 'consent-page.js'));
  writeFileSync(join(dir, 'first-launch.js'),
    '// Written by examples/miniprogram/prepare.mjs from first-launch.json (promptc first-launch).\nexport default ' +
    JSON.stringify(firstLaunch) + ';\n');
}

export function prepare(o) {
  const wasm = readFileSync(o.wasm);
  const firstLaunch = JSON.parse(readFileSync(o['first-launch'], 'utf8'));
  const exported = JSON.parse(readFileSync(o['wechat-export'], 'utf8'));
  lib('wechat', firstLaunch);
  lib('alipay', firstLaunch);
  const br = brotliCompressSync(wasm, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: wasm.length } });
  writeFileSync(join(examples, 'wechat', 'consent.wasm.br'), br);
  copyFileSync(o.wasm, join(examples, 'alipay', 'consent.wasm'));
  const appFile = join(examples, 'wechat', 'app.json');
  const app = JSON.parse(readFileSync(appFile, 'utf8'));
  const differs = exportedBlockDiffers(app, exported);
  if (differs.length > 0) {
    if (!o.update) {
      throw new Error(`${appFile}: ${differs.join(', ')} differ from ${o['wechat-export']} (promptc export): run prepare.mjs with --update, or make examples-update`);
    }
    for (const k of EXPORTED) app[k] = exported[k];
    writeFileSync(appFile, JSON.stringify(app, null, 2) + '\n');
  }
  return { wechat: br.length, alipay: statSync(o.wasm).size };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const sizes = prepare(args(process.argv.slice(2)));
    console.log(`examples: wechat/consent.wasm.br ${sizes.wechat} bytes, alipay/consent.wasm ${sizes.alipay} bytes`);
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
