// First-load JavaScript + wasm of public pages, as a phone's browser fetches them: every /pkg/
// script and wasm module requested until the page has hydrated (lazy-route chunks included),
// summed over the files' raw, gzip and brotli forms on disk (the server sends the precompressed
// ones). Usage: node scripts/first-load.mjs BASE_URL SITE_ROOT path...
import { createRequire } from 'node:module';
import { statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const require = createRequire(path.join(root, 'end2end', 'package.json'));
const { chromium } = require('playwright-core');
const { chromiumArgs, chromiumPath } = await import(pathToFileURL(path.join(root, 'end2end', 'chromium.mjs')).href);

const [base, siteRoot, ...paths] = process.argv.slice(2);
const size = (f) => { try { return statSync(f).size; } catch { return 0; } };
const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: chromiumArgs,
});
console.log('| page | files | raw | gzip | brotli |');
console.log('|---|---|---|---|---|');
for (const p of paths) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
  const page = await context.newPage();
  const files = new Set();
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith('/pkg/') && /\.(js|wasm)$/.test(u.pathname)) files.add(u.pathname);
  });
  await page.goto(base + p);
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30000 });
  await page.waitForLoadState('networkidle');
  let raw = 0, gz = 0, br = 0;
  for (const f of files) {
    const disk = path.join(siteRoot, f);
    raw += size(disk); gz += size(disk + '.gz'); br += size(disk + '.br');
  }
  console.log(`| \`${p}\` | ${files.size} | ${raw} | ${gz} | ${br} |`);
  await context.close();
}
await browser.close();
