import { wxStorage } from '../../lib/storage.js';
import { Consent } from '../../lib/consent.js';
import { installationId, runPage } from '../../lib/consent-page.js';

Page({
  data: { popup: null, basicMode: false, ready: false, error: '' },
  onLoad() {
    const info = wx.getSystemInfoSync();
    runPage(this, {
      // The Brotli-compressed module: WXWebAssembly takes it from base
      // library 2.14.0, and it keeps the main package under 2 MB.
      load: () => Consent.loadWX('/consent.wasm.br'),
      storage: wxStorage(wx),
      installation: installationId((k) => wx.getStorageSync(k), (k, v) => wx.setStorageSync(k, v)),
      platform: 'wechat',
      version: info.SDKVersion,
      language: info.language,
    });
  },
  onAccept() {
    return this.answer(true);
  },
  onDecline() {
    return this.answer(false);
  },
});
