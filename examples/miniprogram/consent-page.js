// The page logic the example shares between its platform's page files:
// the first popup from the precomputed launch at once, the module loading
// meanwhile, the state kept in the platform's storage. A real app calls
// runPage from its first page and engine.decide from every later step.
import { Consent } from './consent.js';
import firstLaunch from './first-launch.js';

const STATE = 'jitconsent.state';
const INSTALLATION = 'jitconsent.installation';

// installationId returns the id the app keeps for this installation,
// made once and kept with the platform's synchronous storage calls (get,
// set): the engine reads no randomness, so the host names it, and the
// launch request needs it at once.
export function installationId(get, set) {
  let id = get(INSTALLATION);
  if (typeof id !== 'string' || !/^[A-Za-z0-9._:-]{1,64}$/.test(id)) {
    id = 'mp-' + Date.now().toString(36) + '-' + Math.floor(Math.random() * 0x7fffffff).toString(36);
    set(INSTALLATION, id);
  }
  return id;
}

// runPage starts the launch on a page: page.setData({popup}) shows the
// policy popup (null: none), and page.answer(accepted) hands the user's
// answer over. load is the platform's loader of the module, storage its
// storage adapter (storage.mjs), installation the id installationId gave.
export function runPage(page, { load, storage, installation, platform, version, language }) {
  const stored = storage.get(STATE).then((s) => (s ? JSON.parse(s) : null));
  const launch = Consent.launch({
    engine: load(),
    firstLaunch,
    request: {
      locale: language,
      device: { platform, version },
      installation,
      state: stored,
    },
    show: (actions) => {
      const popup = actions.find((a) => a.type === 'show_policy') || null;
      page.setData({ popup, basicMode: actions.some((a) => a.type === 'basic_mode') });
    },
    record: async (r) => {
      await storage.set(STATE, JSON.stringify(r.state));
    },
  });
  page.launch = launch;
  page.answer = (accepted) => launch.answer({ type: 'policy_answer', accepted });
  launch.ready.then(
    () => page.setData({ ready: true }),
    (e) => page.setData({ error: String(e && e.message ? e.message : e) }),
  );
  return launch;
}
