// The WeChat example's app: nothing to do at launch; the first page runs
// the consent flow (pages/index).
App({});
