import { test, expect, Page, chromium } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { signIn } from './staff-auth';
import { chromiumArgs, chromiumPath } from '../chromium.mjs';

// What a Persian (or English) reader sees, checked on the pages people open first, in both
// languages, on a phone and on a desktop. Each check is a class of defect, not one instance:
//   * a Latin digit, a Latin word (a bare data value such as «morning») or a middle dot (reads as
//     the Persian zero) in visible Persian text, outside codes (`.code`, `dir="ltr"`, `lang="en"`);
//   * a bare data value in English (snake_case or `a+b` codes);
//   * a number whose characters render on two lines;
//   * anything wider than its card, or a page wider than the screen;
//   * chart labels and values that overlap;
//   * a page without its own `<title>`, a description or exactly one `<h1>`;
//   * axe violations.

const viewports = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1366, height: 900 },
};

type Lang = 'fa' | 'en';

async function open(page: Page, lang: Lang, path: string) {
  await page.context().addCookies([{ name: 'karamat_lang', value: lang, url: process.env.BASE_URL || 'http://127.0.0.1:3000' }]);
  const res = await page.goto(path);
  expect(res?.status(), `${path} answered`).toBeLessThan(400);
  await expect(page.locator('html')).toHaveAttribute('lang', lang);
  // Measured as the reader meets it: hydrated (a lazy page's code loaded, its title set) and in
  // the page's own font, which decides the line breaks.
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.waitForLoadState('networkidle');
  await page.evaluate(() => document.fonts.ready);
}

/** The links to a need and a campaign, taken from the lists (the data is seeded). */
async function firstLink(page: Page, lang: Lang, list: string, prefix: string): Promise<string> {
  await open(page, lang, list);
  const href = await page.locator(`.cards a[href^="${prefix}"]`).first().getAttribute('href');
  expect(href).toBeTruthy();
  return href!;
}

interface Findings {
  latinInPersian: string[];
  rawValues: string[];
  brokenNumbers: string[];
  overflowing: string[];
  chartOverlaps: string[];
  h1: number;
  title: string;
  description: string;
  pageWidth: number;
  screenWidth: number;
}

async function inspect(page: Page, lang: Lang): Promise<Findings> {
  return page.evaluate((lang) => {
    const visible = (el: Element | null): boolean => {
      for (let e = el; e; e = e.parentElement) {
        const s = getComputedStyle(e);
        if (s.display === 'none' || s.visibility === 'hidden') return false;
      }
      return true;
    };
    const isCode = (el: Element | null): boolean =>
      !!el?.closest('.code, code, [dir="ltr"], [lang="en"], script, style, noscript, svg');
    const out = {
      latinInPersian: [] as string[],
      rawValues: [] as string[],
      brokenNumbers: [] as string[],
      overflowing: [] as string[],
      chartOverlaps: [] as string[],
      h1: document.querySelectorAll('h1').length,
      title: document.title,
      description: document.querySelector('meta[name="description"]')?.getAttribute('content') ?? '',
      pageWidth: document.documentElement.scrollWidth,
      screenWidth: window.innerWidth,
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent ?? '';
      if (!text.trim()) continue;
      const el = n.parentElement;
      if (!el || !visible(el)) continue;
      const code = isCode(el);
      if (lang === 'fa' && !code) {
        if (/[0-9]/.test(text)) out.latinInPersian.push(`digit: «${text.trim()}»`);
        if (/[A-Za-z]{2,}/.test(text)) out.latinInPersian.push(`latin: «${text.trim()}»`);
        if (/[·•]/.test(text)) out.latinInPersian.push(`dot: «${text.trim()}»`);
      }
      if (lang === 'en' && !code && /\b[a-z]+(_[a-z]+)+\b|\b[a-z]+\+[a-z]+\b/.test(text)) {
        out.rawValues.push(text.trim());
      }
      // Every run of digits (with its group separators) must sit on one line.
      const re = /[0-9۰-۹][0-9۰-۹,٬.٫]*[0-9۰-۹]/g;
      for (let m = re.exec(text); m; m = re.exec(text)) {
        const range = document.createRange();
        range.setStart(n, m.index);
        range.setEnd(n, m.index + m[0].length);
        const tops = new Set(Array.from(range.getClientRects()).filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        if (tops.size > 1) out.brokenNumbers.push(m[0]);
      }
    }
    // Cards and panels hold what they show (tables that scroll inside them are fine).
    for (const card of Array.from(document.querySelectorAll('.need-card, .card, .stat, .face, .chart'))) {
      if (!visible(card)) continue;
      const box = card.getBoundingClientRect();
      for (const child of Array.from(card.querySelectorAll('*'))) {
        if (child.closest('.table-scroll, table.table') || !visible(child)) continue;
        const r = child.getBoundingClientRect();
        if (r.width === 0) continue;
        if (r.left < box.left - 1 || r.right > box.right + 1) {
          out.overflowing.push(`${child.tagName.toLowerCase()}.${child.className} «${(child.textContent ?? '').trim().slice(0, 40)}» in .${card.className}`);
          break;
        }
      }
    }
    // No chart label or value overlaps another.
    for (const chart of Array.from(document.querySelectorAll('.chart'))) {
      const boxes = Array.from(chart.querySelectorAll('.bar-label, .bar-value')).map((e) => ({
        text: e.textContent ?? '',
        r: e.getBoundingClientRect(),
      }));
      for (let i = 0; i < boxes.length; i++)
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i].r;
          const b = boxes[j].r;
          const overlap = Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
          if (overlap) out.chartOverlaps.push(`${boxes[i].text} × ${boxes[j].text}`);
        }
    }
    return out;
  }, lang);
}

const pages: [string, (page: Page, lang: Lang) => Promise<string>][] = [
  ['home', async () => '/'],
  ['needs', async () => '/needs'],
  ['a filter with nothing open', async () => '/needs?province=THR&category=rent&sort=newest'],
  ['a need', (page, lang) => firstLink(page, lang, '/needs', '/needs/')],
  ['give', async () => '/give'],
  ['release', async () => '/release'],
  ['a campaign', (page, lang) => firstLink(page, lang, '/release', '/release/')],
  ['release rules', async () => '/release-rules'],
  ['intention rules', async () => '/give/intentions'],
  ['transparency', async () => '/transparency'],
  ['workshops', async () => '/employment/workshops'],
  ['sign in', async () => '/sign-in'],
  ['receipt lookup', async () => '/receipt'],
];

for (const [device, viewport] of Object.entries(viewports)) {
  for (const lang of ['fa', 'en'] as Lang[]) {
    test(`${lang} ${device}: digits, words, lines, cards, charts and titles`, async ({ browser }) => {
      const context = await browser.newContext({ viewport, isMobile: device === 'phone', hasTouch: device === 'phone' });
      const page = await context.newPage();
      const titles = new Map<string, string>();
      const problems: string[] = [];
      for (const [name, pathOf] of pages) {
        const path = await pathOf(page, lang);
        await open(page, lang, path);
        const f = await inspect(page, lang);
        const add = (what: string, list: string[]) => list.length && problems.push(`${name} (${path}) ${what}: ${list.slice(0, 5).join(' | ')}`);
        add('Latin digits, words or dots in Persian', f.latinInPersian);
        add('bare data values', f.rawValues);
        add('numbers on two lines', f.brokenNumbers);
        add('wider than its card', f.overflowing);
        add('chart labels overlapping', f.chartOverlaps);
        if (f.pageWidth > f.screenWidth + 1) problems.push(`${name}: the page is ${f.pageWidth}px wide on a ${f.screenWidth}px screen`);
        if (f.h1 !== 1) problems.push(`${name}: ${f.h1} <h1>`);
        if (!f.description) problems.push(`${name}: no meta description`);
        // Each page its own title (a filtered list may share its list's).
        const pathname = path.split('?')[0];
        const other = Array.from(titles.entries()).find(([p, t]) => t === f.title && p !== pathname);
        if (!f.title || other) problems.push(`${name}: title «${f.title}» ${other ? `is also ${other[0]}'s` : 'is empty'}`);
        titles.set(pathname, f.title);
        // Without JavaScript the server's own HTML carries the same title.
        const served = await (await page.request.get(path, { headers: { cookie: `karamat_lang=${lang}` } })).text();
        const ssrTitle = /<title>([^<]*)<\/title>/.exec(served)?.[1] ?? '';
        const decoded = await page.evaluate((t) => { const e = document.createElement('textarea'); e.innerHTML = t; return e.value; }, ssrTitle);
        if (decoded !== f.title) problems.push(`${name}: the server's title «${decoded}» is not the page's «${f.title}»`);
      }
      expect(problems).toEqual([]);
      await context.close();
    });
  }
}

test('axe finds nothing on the public pages, in Persian and English', async ({ page }) => {
  const problems: string[] = [];
  for (const lang of ['fa', 'en'] as Lang[]) {
    for (const [name, pathOf] of pages) {
      const path = await pathOf(page, lang);
      await open(page, lang, path);
      const result = await new AxeBuilder({ page }).analyze();
      for (const v of result.violations) {
        problems.push(`${lang} ${name}: ${v.id} (${v.nodes.length}) ${v.nodes.slice(0, 2).map((n) => n.target.join(' ')).join(', ')}`);
      }
    }
  }
  expect(problems).toEqual([]);
});

// Lighthouse's accessibility audit (axe plus its own checks: tap targets, contrast, names, the
// document's language and title) on the pages of the issue, as a phone opens them, in both
// languages. Lighthouse drives its own Chromium over the DevTools protocol.
test('Lighthouse accessibility is 100 on the pages people open first, in Persian and English', async ({ page }) => {
  test.setTimeout(600_000);
  const { default: lighthouse } = await import('lighthouse');
  const port = 9300 + Math.floor(Math.random() * 600);
  const browser = await chromium.launch({ executablePath: chromiumPath, args: [...chromiumArgs, `--remote-debugging-port=${port}`] });
  const base = process.env.BASE_URL || 'http://127.0.0.1:3000';
  const audited = ['home', 'a need', 'give', 'release', 'a campaign', 'transparency', 'workshops', 'sign in'];
  const problems: string[] = [];
  try {
    for (const lang of ['fa', 'en'] as Lang[]) {
      for (const [name, pathOf] of pages.filter(([n]) => audited.includes(n))) {
        const path = await pathOf(page, lang);
        const result = await lighthouse(base + path, {
          port,
          output: 'json',
          logLevel: 'error',
          onlyCategories: ['accessibility'],
          extraHeaders: { Cookie: `karamat_lang=${lang}` },
          formFactor: 'mobile',
          screenEmulation: { mobile: true, width: 390, height: 844, deviceScaleFactor: 2, disabled: false },
          throttlingMethod: 'provided',
        });
        const lhr = result!.lhr;
        const score = lhr.categories.accessibility.score;
        if (score !== 1) {
          const failed = Object.values(lhr.audits)
            .filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode !== 'informative' && a.scoreDisplayMode !== 'notApplicable')
            .map((a) => a.id);
          problems.push(`${lang} ${name} (${path}): ${Math.round((score ?? 0) * 100)} — ${failed.join(', ')}`);
        }
      }
    }
  } finally {
    await browser.close();
  }
  expect(problems).toEqual([]);
});

test('the web font is self-hosted and used in both languages', async ({ page }) => {
  const fonts: string[] = [];
  page.on('request', (r) => r.resourceType() === 'font' && fonts.push(new URL(r.url()).pathname));
  await open(page, 'fa', '/');
  expect(await page.evaluate(() => document.fonts.check('16px Vazirmatn', 'سلام'))).toBe(true);
  expect(fonts.some((f) => /^\/fonts\/vazirmatn-[\d.]+-fa\.woff2$/.test(f))).toBe(true);
  const family = await page.locator('body').evaluate((b) => getComputedStyle(b).fontFamily);
  expect(family).toMatch(/^"?Vazirmatn/);
  fonts.length = 0;
  const english = await page.context().browser()!.newContext();
  const en = await english.newPage();
  en.on('request', (r) => r.resourceType() === 'font' && fonts.push(new URL(r.url()).pathname));
  await open(en, 'en', '/');
  expect(await en.locator('body').evaluate((b) => getComputedStyle(b).fontFamily)).toMatch(/^"?Vazirmatn/);
  expect(fonts.some((f) => f.endsWith('-latin.woff2'))).toBe(true);
  await english.close();
});

test('staff pages read as well: Persian digits, codes kept Latin, charts, titles', async ({ page }) => {
  await signIn(page, 'admin@demo.karamat.ir', true);
  await expect(page).toHaveURL(/\/staff$/);
  const problems: string[] = [];
  for (const [device, viewport] of Object.entries(viewports)) {
    await page.setViewportSize(viewport);
    for (const lang of ['fa', 'en'] as Lang[]) {
      const titles = new Map<string, string>();
      const staffPages: [string, () => Promise<string>][] = [
        ['staff home', async () => '/staff'],
        ['families', async () => '/staff/families'],
        ['a family', async () => {
          await open(page, lang, '/staff/families');
          return (await page.locator('#families a[href^="/staff/families/"]').first().getAttribute('href'))!;
        }],
        ['kpis', async () => '/staff/kpis'],
        ['employment', async () => '/staff/employment'],
      ];
      for (const [name, pathOf] of staffPages) {
        const path = await pathOf();
        await open(page, lang, path);
        const f = await inspect(page, lang);
        const add = (what: string, list: string[]) => list.length && problems.push(`${lang} ${device} ${name} (${path}) ${what}: ${list.slice(0, 5).join(' | ')}`);
        add('Latin digits, words or dots in Persian', f.latinInPersian);
        add('bare data values', f.rawValues);
        add('numbers on two lines', f.brokenNumbers);
        add('chart labels overlapping', f.chartOverlaps);
        if (f.pageWidth > f.screenWidth + 1) problems.push(`${lang} ${device} ${name}: the page is ${f.pageWidth}px wide on a ${f.screenWidth}px screen`);
        if (f.h1 !== 1) problems.push(`${lang} ${device} ${name}: ${f.h1} <h1>`);
        const other = Array.from(titles.entries()).find(([, t]) => t === f.title);
        if (!f.title || other) problems.push(`${lang} ${name}: title «${f.title}» ${other ? `is also ${other[0]}'s` : 'is empty'}`);
        titles.set(name, f.title);
      }
    }
  }
  expect(problems).toEqual([]);
});
