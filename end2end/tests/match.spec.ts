import { test, expect, Page } from '@playwright/test';
import { fillPersianDate, hydrated, signIn } from './staff-auth';

const BASE = process.env.BASE_URL || 'http://127.0.0.1:3000';

async function payAtSandbox(page: Page) {
  await expect(page).toHaveURL(/\/sandbox-bank\/SBX/);
  await page.click('#sandbox-pay');
  await expect(page).toHaveURL(/\/receipt\/\d{12}\?t=/);
}

/** A sponsor's name no earlier run has used (letters only: digits would be shown in Persian). */
function sponsorName(): string {
  const letters = 'ابپتجچخدرزسشفقکگلمنوهی';
  let tail = '';
  for (let i = 0; i < 5; i++) tail += letters[Math.floor(Math.random() * letters.length)];
  return `شرکت همراه ${tail}`;
}

test('a sponsor doubles gifts to a campaign: recorded, approved by another person, matched in Persian and in English without JavaScript, then closed', async ({ page, browser }) => {
  test.setTimeout(300_000);
  page.on('pageerror', (e) => console.log(`PAGEERROR ${e.message}`));
  // A campaign still raising: the last of the first page (the release journey gives to the first).
  await page.goto('/release');
  const campaign = (await page.locator('.campaign-card:has(.status-published)').last().getAttribute('data-code'))!;
  expect(campaign).toMatch(/^C-/);
  const sponsor = sponsorName();

  // A finance officer records the offer; it waits for a second person.
  await signIn(page, 'finance@demo.karamat.ir', true);
  await expect(page).toHaveURL(/\/staff$/);
  await hydrated(page);
  await page.click('#matches-link');
  await expect(page).toHaveURL(/\/staff\/matches$/);
  await page.locator('#propose-match summary').click();
  await page.fill('input[name="form[sponsor_name]"]', sponsor);
  await page.fill('input[name="form[sponsor_contact]"]', '09120000001');
  await page.check('input[name="form[scope]"][value=campaign]');
  await page.fill('input[name="form[campaign]"]', campaign);
  await page.fill('input[name="form[cap]"]', '۲۰٬۰۰۰٬۰۰۰');
  await fillPersianDate(page, 'form[ends_on]', 20);
  await page.click('#propose-match-form button[type=submit]');
  await expect(page.locator('#match-proposed')).toBeVisible();
  const row = (p: Page) => p.locator('#match-offers tr', { hasText: sponsor });
  await expect(row(page)).toHaveAttribute('data-status', 'proposed');
  // Its author cannot approve it: the page says so instead of offering the button.
  await expect(row(page).locator('button[data-approve]')).toHaveCount(0);
  await expect(row(page)).toContainText('همکار دیگری');

  // The national admin approves it.
  await page.context().clearCookies();
  await signIn(page, 'admin@demo.karamat.ir', true);
  await expect(page).toHaveURL(/\/staff$/);
  await page.goto('/staff/matches');
  await hydrated(page);
  await row(page).locator('button[data-approve]').click();
  await expect(row(page)).toHaveAttribute('data-status', 'active');
  await expect(row(page)).toContainText('09120000001');
  await page.context().clearCookies();

  // A donor (Persian, with JavaScript) sees the sponsor on the campaign and the form, and the
  // receipt says what the sponsor added.
  await page.goto(`/release/${campaign}`);
  await hydrated(page);
  await expect(page.locator('.campaign-detail .match-line, .match-line').first()).toContainText(sponsor);
  await expect(page.locator('.match-line').first()).toContainText('دوبرابر');
  await page.click('#give-button');
  await expect(page).toHaveURL(/\/give\?campaign=C-/);
  await hydrated(page);
  await expect(page.locator('.match-line')).toContainText(sponsor);
  await page.check('input[name="form[amount]"][value="100000"]');
  await page.click('#give-submit');
  await payAtSandbox(page);
  await expect(page.locator('#receipt-status')).toHaveText('پرداخت شد — سپاس از شما');
  await expect(page.locator('#receipt-match')).toContainText(sponsor);
  await expect(page.locator('#receipt-match')).toHaveAttribute('data-matched', '1000000');
  await expect(page.locator('#receipt-match')).toContainText('۱۰۰٬۰۰۰');

  // The same in English, without JavaScript: plain forms and redirects.
  const plain = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
  await plain.addCookies([{ name: 'karamat_lang', value: 'en', url: BASE }]);
  const p2 = await plain.newPage();
  await p2.goto(`/release/${campaign}`.replace(/^/, BASE));
  await expect(p2.locator('html')).toHaveAttribute('lang', 'en');
  await expect(p2.locator('.match-line').first()).toContainText('Doubled');
  await expect(p2.locator('.match-line').first()).toContainText(sponsor);
  await p2.click('#give-button');
  await expect(p2.locator('.match-line')).toContainText('matches each gift 1:1');
  await p2.check('input[name="form[amount]"][value="100000"]');
  await p2.click('#give-submit');
  await payAtSandbox(p2);
  await expect(p2.locator('#receipt-match')).toContainText('added');
  await expect(p2.locator('#receipt-match')).toContainText('100,000');
  await plain.close();

  // The admin closes it early: the campaign shows no sponsor any more.
  await signIn(page, 'admin@demo.karamat.ir', true);
  await expect(page).toHaveURL(/\/staff$/);
  await page.goto('/staff/matches');
  await hydrated(page);
  await expect(row(page)).toContainText('۲۰۰٬۰۰۰');
  await row(page).locator('button[data-close]').click();
  await expect(row(page)).toHaveAttribute('data-status', 'closed');
  await page.context().clearCookies();
  await page.goto(`/release/${campaign}`);
  await expect(page.locator('.campaign-card')).toBeVisible();
  await expect(page.locator('.match-line')).toHaveCount(0);
});
