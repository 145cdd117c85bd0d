import { test, expect, Page } from '@playwright/test';
import { fillPersianDate, hydrated, signIn } from './staff-auth';

/** A national company id with its check digit, different on every run. */
function companyId(): string {
  const head = String(1_000_000_000 + Math.floor(Math.random() * 8_999_999_999)).slice(0, 10);
  const d = [...head].map(Number);
  const w = [29, 27, 23, 19, 17];
  const plus = d[9] + 2;
  const r = d.reduce((s, x, i) => s + (x + plus) * w[i % 5], 0) % 11;
  return head + String(r === 10 ? 0 : r);
}

async function signOut(page: Page) {
  await page.context().clearCookies();
}

test('an entrepreneur registers, is verified, proposes; the contract is approved, workers assigned, a day logged; invoice, payslips and the family fund follow', async ({ page }) => {
  test.setTimeout(480_000);
  // Surface browser-side failures (a hydration panic would otherwise look like a dead button).
  page.on('pageerror', (e) => console.log(`PAGEERROR ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') console.log(`CONSOLE ${m.text()}`);
  });
  const email = `company${Date.now()}@test.karamat.ir`;
  const company = `تولیدی آزمون ${Date.now() % 100000}`;
  // Typed with Latin digits, shown on Persian pages with Persian ones.
  const shown = company.replace(/[0-9]/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[Number(d)]);

  // The public catalogue shows workshops and counts, never a person.
  await page.goto('/employment/workshops?province=THR');
  await hydrated(page);
  await expect(page.locator('#workshop-list li').first()).toBeVisible();

  // Registration (Persian digits in the phone), straight to the dashboard, pending.
  await page.goto('/employment/register');
  await hydrated(page);
  await page.fill('input[name="form[company_name]"]', company);
  await page.fill('input[name="form[national_company_id]"]', companyId());
  await page.fill('input[name="form[economic_code]"]', '411122223333');
  await page.selectOption('select[name="form[sector]"]', 'textile');
  await page.selectOption('select[name="form[province]"]', 'THR');
  await page.fill('input[name="form[contact_name]"]', 'مهدی آزمون');
  await page.fill('input[name="form[contact_phone]"]', '۰۹۱۲۱۱۱۲۲۳۳');
  await page.fill('input[name="form[email]"]', email);
  await page.fill('input[name="form[password]"]', 'a-long-enough-password');
  await page.click('#register-form button[type=submit]');
  await expect(page).toHaveURL(/\/employment\/dashboard$/);
  await hydrated(page);
  await expect(page.locator('#company-status')).toHaveAttribute('data-status', 'pending');
  await expect(page.locator('#propose-form')).toHaveCount(0);
  await signOut(page);

  // The Tehran association manager verifies the company.
  await signIn(page, 'manager@demo.karamat.ir', true);
  await expect(page).toHaveURL(/\/staff$/);
  await page.goto('/staff/employment');
  await hydrated(page);
  const row = page.locator('#entrepreneurs-pending li', { hasText: shown });
  await expect(row).toBeVisible();
  await row.locator('button', { hasText: 'تأیید شرکت' }).click();
  await expect(page.locator('#entrepreneurs-pending li', { hasText: shown })).toHaveCount(0);
  await signOut(page);

  // Verified, the entrepreneur proposes a contract: first a rate below the minimum, refused.
  await signIn(page, email, false, 'a-long-enough-password');
  await expect(page).toHaveURL(/\/employment\/dashboard$/);
  await hydrated(page);
  await expect(page.locator('#company-status')).toHaveAttribute('data-status', 'verified');
  await page.fill('input[name="form[product]"]', 'روپوش کار');
  await page.fill('input[name="form[quantity]"]', '۵۰۰');
  await page.fill('input[name="form[unit_price]"]', '300000');
  await page.selectOption('select[name="form[wage_model]"]', 'hourly');
  await page.fill('input[name="form[wage_rate]"]', '20000');
  await page.fill('input[name="form[headcount]"]', '3');
  await page.check('input[name="form[required_skills][]"][value="sewing"]');
  await fillPersianDate(page, 'form[starts_on]', -20);
  await fillPersianDate(page, 'form[ends_on]', 160);
  await page.click('#propose-form button[type=submit]');
  await expect(page.locator('#propose-form .error')).toContainText('حداقل');
  await page.fill('input[name="form[wage_rate]"]', '70000');
  await page.click('#propose-form button[type=submit]');
  await expect(page).toHaveURL(/\/employment\/contracts\/K-/);
  await hydrated(page);
  const contractUrl = new URL(page.url()).pathname;
  await expect(page.locator('#contract-status')).toHaveAttribute('data-status', 'proposed');
  await signOut(page);

  // The prison officer approves, then the provincial manager.
  await signIn(page, 'prison.officer@demo.karamat.ir', true);
  await expect(page).toHaveURL(/\/staff$/);
  await page.goto(contractUrl);
  await hydrated(page);
  await page.click('#approve-contract');
  await expect(page.locator('#contract-status')).toHaveAttribute('data-status', 'officer_approved');
  await signOut(page);
  await signIn(page, 'manager@demo.karamat.ir', true);
  await expect(page).toHaveURL(/\/staff$/);
  await page.goto(contractUrl);
  await hydrated(page);
  await page.click('#approve-contract');
  await expect(page.locator('#contract-status')).toHaveAttribute('data-status', 'active');
  await signOut(page);

  // The officer is shown ranked candidates with their reasons and assigns three.
  await signIn(page, 'prison.officer@demo.karamat.ir', true);
  await expect(page).toHaveURL(/\/staff$/);
  await page.goto(contractUrl);
  await hydrated(page);
  await page.click('#find-workers');
  await expect(page.locator('#candidates > li').first()).toBeVisible();
  await expect(page.locator('#candidates > li').first().locator('.reasons li').first()).toBeVisible();
  for (let i = 0; i < 3; i++) {
    await page.click('#find-workers');
    await expect(page.locator('#candidates > li').first()).toBeVisible();
    const before = await page.locator('#workers li').count();
    await page.locator('#candidates > li').first().locator('button').click();
    await expect(page.locator('#workers li')).toHaveCount(before + 1);
  }
  // A day's production: 60 made, 56 accepted, hours per worker.
  await fillPersianDate(page, 'form[date]', 0);
  await page.fill('input[name="form[quantity]"]', '60');
  await page.fill('input[name="form[accepted]"]', '56');
  await page.fill('input[name="form[rejected]"]', '4');
  const hours = page.locator('#log-form input[name$="[hours]"]');
  await expect(hours).toHaveCount(3);
  for (let i = 0; i < 3; i++) await hours.nth(i).fill(i === 0 ? '8' : '۷٫۵');
  await page.click('#log-form button[type=submit]');
  await expect(page.locator('#production tbody tr')).toHaveCount(1);
  // Staff follow a worker to his family's file (the entrepreneur never sees this link).
  const familyHref = await page.locator('#workers .family-link').first().getAttribute('href');
  expect(familyHref).toMatch(/^\/staff\/families\/F-/);
  await signOut(page);

  // Finance issues the month's invoice and runs the month's wages.
  await signIn(page, 'finance@demo.karamat.ir', true);
  await expect(page).toHaveURL(/\/staff$/);
  await page.goto(contractUrl);
  await hydrated(page);
  await page.click('#invoice-form button[type=submit]');
  await expect(page.locator('#invoices tbody tr')).toHaveCount(1);
  await expect(page.locator('#invoices tbody tr').first()).toContainText('۵۶');
  await page.goto('/staff/employment');
  await hydrated(page);
  await page.click('#wage-run-form button[type=submit]');
  await expect(page.locator('#wage-run-report')).toBeVisible();
  const paid = Number(await page.locator('#wage-run-report [data-payments]').getAttribute('data-payments'));
  expect(paid).toBeGreaterThanOrEqual(3);
  await page.goto(contractUrl);
  await hydrated(page);
  await page.click('#payslip-form button[type=submit]');
  await expect(page.locator('#payslips .payslip')).toHaveCount(3);
  await expect(page.locator('#payslips .payslip').first().locator('[data-line=cap]')).toBeVisible();
  await signOut(page);

  // The entrepreneur sees the invoice and the payslips by worker code only.
  await signIn(page, email, false, 'a-long-enough-password');
  await expect(page).toHaveURL(/\/employment\/dashboard$/);
  await expect(page.locator('#my-invoices tbody tr')).toHaveCount(1);
  // Output to date: the logged day's accepted units, and the invoice.
  await expect(page.locator('#my-output tbody tr')).toHaveCount(1);
  await expect(page.locator('#my-output tbody tr .accepted')).not.toHaveText(/^[۰0]$/);
  await page.goto(contractUrl);
  await hydrated(page);
  await expect(page.locator('#workers li')).toHaveCount(3);
  await expect(page.locator('#workers .family-link')).toHaveCount(0);
  await expect(page.locator('main')).not.toContainText('P-');
  await page.click('#payslip-form button[type=submit]');
  await expect(page.locator('#payslips .payslip')).toHaveCount(3);
  // A job post for released people, public at once.
  await page.goto('/employment/dashboard');
  await hydrated(page);
  const jobTitle = `خیاط ماهر ${Date.now() % 100000}`;
  await page.fill('#job-form input[name="form[title]"]', jobTitle);
  await page.check('#job-form input[name="form[skills][]"][value="sewing"]');
  await page.fill('#job-form input[name="form[pay]"]', '150000000');
  await page.fill('#job-form input[name="form[early_hire_days]"]', '30');
  await page.click('#job-form button[type=submit]');
  await expect(page.locator('#job-posted')).toBeVisible();
  await page.goto('/employment/jobs');
  const jobShown = jobTitle.replace(/[0-9]/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[Number(d)]);
  await expect(page.locator('#job-list')).toContainText(jobShown);
  await page.goto('/employment/dashboard');
  await expect(page.locator('#my-jobs')).toContainText(jobShown);
  await signOut(page);

  // The province's social worker sees the wage share in that family's support fund.
  await signIn(page, 'social.worker@demo.karamat.ir', true);
  await expect(page).toHaveURL(/\/staff$/);
  await page.goto(familyHref!);
  await hydrated(page);
  await expect(page.locator('#support-fund')).toBeVisible();
  await expect(page.locator('#support-fund')).not.toHaveText(/^[۰0]\s/);
});
