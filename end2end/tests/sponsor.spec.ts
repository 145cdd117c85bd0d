import { test, expect, Page } from '@playwright/test';
import { hydrated, signIn } from './staff-auth';

const BASE = process.env.BASE_URL || 'http://127.0.0.1:3000';

async function payAtSandbox(page: Page) {
  await expect(page).toHaveURL(/\/sandbox-bank\/SBX/);
  await page.click('#sandbox-pay');
  await expect(page).toHaveURL(/\/receipt\/\d{12}\?t=/);
}

test('a donor sponsors a family in Persian, reads its report, and stops in one click', async ({ page }) => {
  test.setTimeout(240_000);
  page.on('pageerror', (e) => console.log(`PAGEERROR ${e.message}`));
  await page.goto('/');
  await page.click('#sponsor-link');
  await expect(page).toHaveURL(/\/sponsor$/);
  await hydrated(page);
  await expect(page.locator('h1')).toHaveText('کفالت خانواده');
  // Filter by a kind of support: the families offered are all of that kind.
  await page.selectOption('#sponsor-filters select[name=kind]', 'school');
  await page.click('#sponsor-filters button[type=submit]');
  await expect(page).toHaveURL(/kind=school/);
  const cards = page.locator('.family-card');
  await expect(cards.first()).toBeVisible();
  for (const badge of await cards.locator('.badge').allTextContents()) expect(badge).toBe('مدرسه');
  const family = (await cards.first().getAttribute('data-family'))!;
  expect(family).toMatch(/^F-/);
  // Digits in Persian on the amounts; the first family is chosen, 12 months by default.
  await expect(page.locator('#sponsor-form .amounts')).toContainText('۱٬۰۰۰٬۰۰۰');
  await page.fill('input[name="form[contact]"]', '۰۹۱۲۵۵۵۰۰۰۱');
  await page.click('#sponsor-submit');
  await payAtSandbox(page);
  await expect(page.locator('#receipt')).toContainText('کفالت خانواده');
  await expect(page.locator('#receipt')).toContainText(family);
  await page.click('#sponsorship-link');
  await expect(page).toHaveURL(/\/sponsorship\?code=M-/);
  await hydrated(page);
  const sponsorship = page.url();
  await expect(page.locator('#sponsorship-status')).toHaveAttribute('data-status', 'active');
  await expect(page.locator('#sponsored-months li')).toHaveCount(1);
  // A second payment the same month is refused with a message, nothing charged.
  await page.click('#pay-month button');
  await expect(page.locator('#form-error')).toHaveText('کمک این ماه پرداخت شده است. سپاس.');
  await expect(page.locator('#no-reports')).toBeVisible();

  // Staff (the national admin here) write the season's report; the privacy guard reads it.
  await page.context().clearCookies();
  await signIn(page, 'admin@demo.karamat.ir', true);
  await expect(page).toHaveURL(/\/staff$/);
  await hydrated(page);
  await page.click('#sponsorships-link');
  await expect(page).toHaveURL(/\/staff\/sponsorships$/);
  await expect(page.locator('#sponsor-coverage')).toBeVisible();
  await page.locator('#sponsor-report summary').click();
  await page.fill('#sponsor-report-form input[name=code]', family);
  await page.fill('#sponsor-report-form textarea[name=body]', 'در این فصل فرزندان خانواده امتحان‌های مدرسه را با موفقیت گذراندند.');
  await page.fill('#sponsor-report-form textarea[name=thanks]', 'از حامی مهربان سپاسگزاریم.');
  await page.click('#sponsor-report-form button[type=submit]');
  await expect(page.locator('#report-sent')).toBeVisible();
  await page.context().clearCookies();

  // The sponsor reads it, then stops: the page says the family keeps what was given.
  await page.goto(sponsorship);
  await hydrated(page);
  await expect(page.locator('#sponsor-reports li')).toHaveCount(1);
  await expect(page.locator('#sponsor-reports')).toContainText('از حامی مهربان سپاسگزاریم.');
  await page.click('#stop-sponsorship button');
  await expect(page.locator('#sponsorship-status')).toHaveAttribute('data-status', 'cancelled');
  await expect(page.locator('#sponsorship-status')).toContainText('نزد خانواده می‌ماند');
  await expect(page.locator('#pay-month')).toHaveCount(0);
});

test('the same sponsorship in English without JavaScript, on a phone', async ({ browser }) => {
  test.setTimeout(180_000);
  const plain = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
  await plain.addCookies([{ name: 'karamat_lang', value: 'en', url: BASE }]);
  const page = await plain.newPage();
  await page.goto(`${BASE}/sponsor?kind=rent`);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.locator('h1')).toHaveText('Sponsor a family');
  await expect(page.locator('.family-card').first()).toContainText('Rent');
  // A bad choice comes back with its message and nothing started.
  await page.fill('input[name="form[contact]"]', '12345');
  await page.click('#sponsor-submit');
  await expect(page).toHaveURL(/\/sponsor\?kind=rent&error=validation.contact/);
  await expect(page.locator('#form-error')).toHaveText(/a mobile number \(e\.g\. 09121234567\) or an e-mail/);
  await page.check('input[name="form[months]"][value="6"]');
  await page.fill('input[name="form[contact]"]', '09125550002');
  await page.click('#sponsor-submit');
  await payAtSandbox(page);
  await expect(page.locator('#receipt')).toContainText('Sponsoring family');
  await page.click('#sponsorship-link');
  await expect(page.locator('#sponsorship-status')).toHaveAttribute('data-status', 'active');
  await expect(page.locator('#sponsorship')).toContainText('Last month');
  await page.click('#stop-sponsorship button');
  await expect(page).toHaveURL(/\/sponsorship\?code=M-/);
  await expect(page.locator('#sponsorship-status')).toHaveAttribute('data-status', 'cancelled');
  await expect(page.locator('#sponsorship-status')).toContainText('You stopped this sponsorship');
  await plain.close();
});
