import { test, expect, Page } from '@playwright/test';

async function hydrated(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

test('release campaigns: filter, open one, see forgiveness as a match, give', async ({ page }) => {
  await page.goto('/');
  await hydrated(page);
  await page.locator('.site-nav').getByRole('link', { name: 'آزادی زندانیان' }).click();
  await expect(page).toHaveURL(/\/release$/);
  await page.selectOption('select[name=offence]', 'debt');
  await page.click('#campaign-filters button[type=submit]');
  await expect(page).toHaveURL(/offence=debt/);
  // The URL changes first; wait for the filtered list to replace the old one.
  await expect(page.locator('.campaign-card .badges .badge:first-child', { hasNotText: 'بدهی مالی' })).toHaveCount(0);
  await expect(page.locator('.campaign-card').first()).toBeVisible();
  await page.locator('.campaign-card:has(.status-published) h2 a').first().click();
  await expect(page).toHaveURL(/\/release\/C-/);
  await expect(page.locator('.campaign-detail .match')).toBeVisible();
  await expect(page.locator('.timeline li')).toHaveCount(4);
  await hydrated(page);
  await page.click('#give-button');
  await expect(page).toHaveURL(/\/give\?campaign=C-/);
  await hydrated(page);
  await expect(page.locator('#give-target')).toContainText('پویش آزادی');
  await page.click('#give-submit');
  await expect(page).toHaveURL(/\/sandbox-bank\//);
  await page.click('#sandbox-pay');
  await expect(page.locator('#receipt-status')).toHaveText('پرداخت شد — سپاس از شما');
});

test('transparency charts read right to left in Persian and left to right in English', async ({ page }) => {
  await page.goto('/transparency');
  await hydrated(page);
  // The bar starts where the reader starts: at the right edge of its row in Persian, the left in
  // English; its label sits at the same edge.
  const row = page.locator('#chart-categories .bar-row').first();
  const edges = async () => {
    const [r, bar, label] = await Promise.all([
      row.boundingBox(),
      row.locator('.bar').boundingBox(),
      row.locator('.bar-label').boundingBox(),
    ]);
    return { row: r!, bar: bar!, label: label! };
  };
  await expect(page.locator('#chart-categories .bar')).toHaveCount(7);
  await expect(page.locator('#chart-months-table tbody tr').first()).toBeVisible();
  let e = await edges();
  expect(Math.abs(e.bar.x + e.bar.width - (e.row.x + e.row.width))).toBeLessThan(2);
  expect(Math.abs(e.label.x + e.label.width - (e.row.x + e.row.width))).toBeLessThan(2);
  await page.locator('#lang-switch').click();
  await expect(page.locator('html')).toHaveAttribute('dir', 'ltr');
  await expect(page.locator('h1')).toHaveText('Transparency');
  e = await edges();
  expect(Math.abs(e.bar.x - e.row.x)).toBeLessThan(2);
  expect(Math.abs(e.label.x - e.row.x)).toBeLessThan(2);
  const csv = await page.request.get('/api/v1/categories.csv');
  expect(csv.ok()).toBeTruthy();
  expect(await csv.text()).toContain('category,raised_rials,needs_met');
  await page.locator('#lang-switch').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'fa');
});
