// Lighthouse (mobile, its default: a mid-range phone on slow 4G, simulated) on the public pages,
// three runs each, the median printed: the score moves with the machine's load, so one run says
// little. Debian's Chromium, offline. Usage: node scripts/lighthouse.mjs BASE_URL path...
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const { chromiumArgs, chromiumPath } = await import(pathToFileURL(path.join(root, 'end2end', 'chromium.mjs')).href);
const lighthouse = path.join(root, 'end2end', 'node_modules', '.bin', 'lighthouse');
const RUNS = Number(process.env.LIGHTHOUSE_RUNS || 3);

const [base, ...paths] = process.argv.slice(2);
const median = (xs) => {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return v.length ? v[Math.floor((v.length - 1) / 2)] : NaN;
};
const secs = (ms) => (Number.isFinite(ms) ? (ms / 1000).toFixed(1) : '—');

console.log('| page | performance | time to interactive s | total blocking time ms | largest contentful paint s | runs |');
console.log('|---|---|---|---|---|---|');
const dir = mkdtempSync(path.join(tmpdir(), 'karamat-lh-'));
try {
  for (const p of paths) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      const out = path.join(dir, `run-${i}.json`);
      execFileSync(lighthouse, [
        base + p,
        '--quiet',
        '--only-categories=performance',
        '--output=json',
        `--output-path=${out}`,
        `--chrome-path=${chromiumPath}`,
        `--chrome-flags=--headless=new ${chromiumArgs.join(' ')}`,
      ], { stdio: ['ignore', 'ignore', 'inherit'] });
      const r = JSON.parse(readFileSync(out, 'utf8'));
      const audit = (k) => r.audits?.[k]?.numericValue;
      runs.push({
        score: Math.round((r.categories?.performance?.score ?? NaN) * 100),
        tti: audit('interactive'),
        tbt: audit('total-blocking-time'),
        lcp: audit('largest-contentful-paint'),
      });
    }
    const m = (k) => median(runs.map((x) => x[k]));
    const tbt = m('tbt');
    console.log(`| \`${p}\` | ${m('score')} | ${secs(m('tti'))} | ${Number.isFinite(tbt) ? Math.round(tbt) : '—'} | ${secs(m('lcp'))} | ${runs.map((x) => x.score).join(', ')} |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
