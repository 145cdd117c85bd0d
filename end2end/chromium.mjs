// Debian's Chromium as this machine kind runs it: no sandbox as root, and no background
// networking (the closed network refuses it). Shared by the Playwright config and make bench.
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];
