import { test, expect } from '@playwright/test';
import { DEMO_PASSWORD, hydrated, signIn } from './staff-auth';

test('home is Persian and right-to-left, then hydrates', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'fa');
  await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
  await expect(page.locator('h1')).toContainText('همراهی آبرومندانه');
  await hydrated(page);
  expect(errors).toEqual([]);
});

test('the language switch works in place by click, and is remembered', async ({ page }) => {
  await page.goto('/');
  await hydrated(page);
  // A marker on window survives only if no full page load happens.
  await page.evaluate(() => ((window as any).__noReload = true));
  await page.locator('#lang-switch').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.locator('html')).toHaveAttribute('dir', 'ltr');
  await expect(page.locator('h1')).toContainText('Dignified help');
  expect(await page.evaluate(() => (window as any).__noReload)).toBe(true);
  // A fresh visit is rendered in English by the server.
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.locator('h1')).toContainText('Dignified help');
  await page.locator('#lang-switch').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'fa');
});

const roles: [string, string, string][] = [
  ['donor@demo.karamat.ir', '/account', 'donor'],
  ['entrepreneur@demo.karamat.ir', '/employment/dashboard', 'entrepreneur'],
  ['social.worker@demo.karamat.ir', '/staff', 'social_worker'],
  ['finance@demo.karamat.ir', '/staff', 'finance_officer'],
  ['auditor@demo.karamat.ir', '/staff', 'auditor'],
];

for (const [email, home, role] of roles) {
  test(`${role} signs in and lands on their home`, async ({ page }) => {
    await signIn(page, email, home === '/staff');
    await expect(page).toHaveURL(new RegExp(`${home}$`));
    await expect(page.locator(`[data-role="${role}"]`)).toBeVisible();
    await page.getByRole('button', { name: 'خروج' }).click();
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole('link', { name: 'ورود' })).toBeVisible();
  });
}

test('a wrong password shows a localized error and no session', async ({ page }) => {
  await page.goto('/sign-in');
  await hydrated(page);
  await page.fill('input[name=email]', 'donor@demo.karamat.ir');
  await page.fill('input[name=password]', 'not-the-password');
  await page.click('#sign-in-form button[type=submit]');
  await expect(page.locator('.form-error')).toHaveText('ایمیل یا گذرواژه درست نیست.');
  const cookies = await page.context().cookies();
  expect(cookies.find((c) => c.name === 'karamat_session')).toBeUndefined();
});

test('the staff area refuses a donor', async ({ page }) => {
  await page.goto('/sign-in');
  await hydrated(page);
  await page.fill('input[name=email]', 'donor@demo.karamat.ir');
  await page.fill('input[name=password]', DEMO_PASSWORD);
  await page.click('#sign-in-form button[type=submit]');
  await expect(page).toHaveURL(/\/account$/);
  const res = await page.goto('/staff');
  expect(res?.status()).toBe(403);
});

// Pages carry a Content-Security-Policy with a fresh nonce; they still hydrate and the browser
// reports no CSP violation on the pages a visitor opens first.
test('the content security policy holds and pages still hydrate', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  page.on('pageerror', (e) => violations.push(String(e)));
  const nonces = new Set<string>();
  for (const path of ['/', '/needs', '/give', '/transparency', '/release', '/sign-in']) {
    const res = await page.goto(path);
    const csp = res?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("'wasm-unsafe-eval'");
    const m = csp.match(/'nonce-([^']+)'/);
    expect(m).not.toBeNull();
    nonces.add(m![1]);
    await hydrated(page);
  }
  expect(nonces.size).toBe(6);
  // The test bank announces itself on every page.
  await expect(page.locator('.test-payments-banner')).toBeVisible();
  expect(violations).toEqual([]);
});
