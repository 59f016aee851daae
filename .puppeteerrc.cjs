// brief resolves Chrome itself (scripts/setup/chrome.ts) and downloads puppeteer's build only
// when no Chrome or Chromium is installed, so `npm install` never fails on a closed network.
module.exports = { skipDownload: true };
