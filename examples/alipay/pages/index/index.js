import { myStorage } from '../../lib/storage.js';
import { Consent } from '../../lib/consent.js';
import { installationId, runPage } from '../../lib/consent-page.js';

Page({
  data: { popup: null, basicMode: false, ready: false, error: '' },
  onLoad() {
    const info = my.getSystemInfoSync();
    runPage(this, {
      // The uncompressed module: Alipay documents no compressed one.
      load: () => Consent.loadAlipay('/consent.wasm'),
      storage: myStorage(my),
      installation: installationId((k) => (my.getStorageSync({ key: k }) || {}).data, (k, v) => my.setStorageSync({ key: k, data: v })),
      platform: 'alipay',
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
