import { test, expect, Page } from '@playwright/test';

async function hydrated(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

test('a visitor filters needs, shares the URL, and opens one', async ({ page }) => {
  await page.goto('/');
  await hydrated(page);
  await page.getByRole('link', { name: 'کمک به خانواده‌ها' }).first().click();
  await expect(page).toHaveURL(/\/needs$/);
  await expect(page.locator('.need-card')).toHaveCount(12);

  // Filter by province and kind of need: client-side navigation, state in the URL.
  await page.selectOption('select[name=province]', 'THR');
  await page.selectOption('select[name=category]', 'rent');
  await page.click('#needs-filters button[type=submit]');
  await expect(page).toHaveURL(/province=THR/);
  await expect(page).toHaveURL(/category=rent/);
  const cards = page.locator('.need-card');
  // The URL changes first; wait for the filtered list to replace the old one.
  await expect(page.locator('.need-card .badges .badge:first-child', { hasNotText: 'اجارهٔ خانه' })).toHaveCount(0);
  await expect(cards.first()).toBeVisible();
  // Persian digits in counts and amounts.
  await expect(page.locator('#needs-count')).toHaveText(/[۰-۹]/);

  // The same URL, opened fresh, shows the same filtered list (server-rendered).
  const url = page.url();
  const codes = await page.locator('.need-card').evaluateAll((els) => els.map((e) => e.getAttribute('data-code')));
  await page.goto(url);
  await expect(page.locator('select[name=category]')).toHaveValue('rent');
  const again = await page.locator('.need-card').evaluateAll((els) => els.map((e) => e.getAttribute('data-code')));
  expect(again).toEqual(codes);

  // Open the first need: its public story, progress and timeline.
  await hydrated(page);
  await page.locator('.need-card h2 a').first().click();
  await expect(page).toHaveURL(/\/needs\/N-/);
  await expect(page.locator('.need-detail .story')).toBeVisible();
  await expect(page.locator('.timeline li')).toHaveCount(4);
  await expect(page.locator('[role=progressbar]')).toBeVisible();
});

test('needs in English, left to right', async ({ page }) => {
  await page.goto('/needs');
  await hydrated(page);
  await page.locator('#lang-switch').click();
  await expect(page.locator('html')).toHaveAttribute('dir', 'ltr');
  await expect(page.locator('h1')).toHaveText('Verified needs of families');
  await expect(page.locator('#needs-count')).toHaveText(/\d+ needs/);
  await page.locator('#lang-switch').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'fa');
});
