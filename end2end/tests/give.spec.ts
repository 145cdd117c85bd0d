import { test, expect, Page } from '@playwright/test';

async function hydrated(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

/** From the filtered needs list to a need that still takes gifts; returns its code. */
async function openANeed(page: Page, category: string): Promise<string> {
  await page.goto('/needs');
  await hydrated(page);
  await page.selectOption('select[name=category]', category);
  await page.click('#needs-filters button[type=submit]');
  await expect(page).toHaveURL(new RegExp(`category=${category}`));
  // Urgent first: published needs lead the list.
  await page.locator('.need-card:has(.status-published) h2 a').first().click();
  await expect(page).toHaveURL(/\/needs\/N-/);
  await expect(page.locator('#give-button')).toBeVisible();
  return page.url().split('/needs/')[1];
}

async function payAtSandbox(page: Page) {
  await expect(page).toHaveURL(/\/sandbox-bank\/SBX/);
  await expect(page.locator('.test-bank').first()).toBeVisible();
  await page.click('#sandbox-pay');
  await expect(page).toHaveURL(/\/receipt\/\d{12}\?t=/);
}

test('a visitor filters needs, gives through the sandbox bank, and finds the receipt again (Persian)', async ({ page }) => {
  const code = await openANeed(page, 'food');
  await hydrated(page);
  await page.click('#give-button');
  await expect(page).toHaveURL(new RegExp(`/give\\?need=${code}`));
  await hydrated(page);
  await expect(page.locator('#give-target')).toContainText('برای این نیاز');
  // The name field appears only when asked for.
  await expect(page.locator('input[name="form[display_name]"]')).toBeHidden();
  await page.check('input[name="form[show_name]"]');
  await expect(page.locator('input[name="form[display_name]"]')).toBeVisible();
  await page.fill('input[name="form[display_name]"]', 'یک همسایه');
  await page.fill('input[name="form[contact]"]', '۰۹۱۲۱۲۳۴۵۶۷');
  await page.click('#give-submit');
  await payAtSandbox(page);

  await expect(page.locator('#receipt-status')).toHaveText('پرداخت شد — سپاس از شما');
  await expect(page.locator('#receipt-amount')).toContainText('۲۵۰٬۰۰۰');
  await expect(page.locator('#receipt')).toContainText('یک همسایه');
  const tracking = await page.locator('#tracking-code').getAttribute('data-code');
  expect(tracking).toMatch(/^\d{12}$/);
  await expect(page.locator('#tracking-code')).toHaveText(/^[۰-۹]{12}$/);
  const receiptUrl = page.url();

  // Found again by tracking code (typed in Persian digits) and the phone's last four digits.
  await page.goto('/receipt');
  await hydrated(page);
  await page.fill('input[name=code]', tracking!.replace(/\d/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[Number(d)]));
  await page.fill('input[name=contact]', '4567');
  await page.click('#lookup-form button[type=submit]');
  await expect(page).toHaveURL(receiptUrl);
  await expect(page.locator('#receipt-status')).toBeVisible();

  // A wrong contact says so and shows nothing.
  await page.goto('/receipt');
  await hydrated(page);
  await page.fill('input[name=code]', tracking!);
  await page.fill('input[name=contact]', '0000');
  await page.click('#lookup-form button[type=submit]');
  await expect(page.locator('#form-error')).toHaveText('رسیدی با این مشخصات پیدا نشد.');
});

test('the same gift in English, to a category fund, with a custom amount', async ({ page }) => {
  await page.goto('/give?category=rent');
  await hydrated(page);
  await page.locator('#lang-switch').click();
  await expect(page.locator('html')).toHaveAttribute('dir', 'ltr');
  await expect(page.locator('h1')).toHaveText('Give');
  await page.check('input[name="form[amount]"][value=other]');
  await page.fill('input[name="form[custom]"]', '5000');
  await page.click('#give-submit');
  await expect(page.locator('#form-error')).toHaveText('The smallest gift is 10,000 tomans.');
  await page.fill('input[name="form[custom]"]', '75,000');
  await page.fill('input[name="form[contact]"]', 'giver@example.org');
  await page.click('#give-submit');
  await payAtSandbox(page);
  await expect(page.locator('#receipt-status')).toHaveText('Paid — thank you');
  await expect(page.locator('#receipt-amount')).toContainText('75,000');
  await expect(page.locator('#receipt')).toContainText('Anonymous');
  const tracking = await page.locator('#tracking-code').getAttribute('data-code');
  await page.goto('/receipt');
  await hydrated(page);
  await page.fill('input[name=code]', tracking!);
  await page.fill('input[name=contact]', 'Giver@Example.org');
  await page.click('#lookup-form button[type=submit]');
  await expect(page).toHaveURL(new RegExp(`/receipt/${tracking}\\?t=`));
  await page.locator('#lang-switch').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'fa');
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the whole gift works with plain forms and redirects', async ({ page }) => {
    await page.goto('/needs?category=school');
    const code = await page.locator('.need-card:has(.status-published)').first().getAttribute('data-code');
    await page.goto(`/needs/${code}`);
    await page.click('#give-button');
    await expect(page).toHaveURL(new RegExp(`/give\\?need=${code}`));
    // Every optional field simply shows.
    await expect(page.locator('input[name="form[display_name]"]')).toBeVisible();
    // A bad amount comes back with the message and nothing is started.
    await page.check('input[name="form[amount]"][value=other]');
    await page.fill('input[name="form[custom]"]', '۵۰۰۰');
    await page.click('#give-submit');
    await expect(page).toHaveURL(/error=give.amount_too_small/);
    await expect(page.locator('#form-error')).toHaveText('کمترین مبلغ ۱۰٬۰۰۰ تومان است.');
    await page.check('input[name="form[amount]"][value="100000"]');
    await page.fill('input[name="form[contact]"]', '09351112233');
    await page.click('#give-submit');
    await payAtSandbox(page);
    await expect(page.locator('#receipt-status')).toHaveText('پرداخت شد — سپاس از شما');
    const tracking = await page.locator('#tracking-code').getAttribute('data-code');
    const url = page.url();
    await page.goto('/receipt');
    await page.fill('input[name=code]', tracking!);
    await page.fill('input[name=contact]', '2233');
    await page.click('#lookup-form button[type=submit]');
    await expect(page).toHaveURL(url);
  });

  test('a cancelled payment takes no money and offers to try again', async ({ page }) => {
    await page.goto('/give');
    await page.click('#give-submit');
    await expect(page).toHaveURL(/\/sandbox-bank\/SBX/);
    await page.click('#sandbox-cancel');
    await expect(page).toHaveURL(/\/receipt\//);
    await expect(page.locator('#receipt-status')).toHaveText('لغو شد — پولی کم نشد');
    await expect(page.getByRole('link', { name: 'دوباره تلاش کنید' })).toBeVisible();
  });
});

test('a kaffareh gift where most urgent goes to the food fund, and the receipt says so (Persian)', async ({ page }) => {
  await page.goto('/give');
  await hydrated(page);
  const choice = page.locator('#give-intention');
  await expect(choice.locator('legend')).toHaveText('نیت');
  // Only the chosen intention's rule shows; a nazr's purpose only for a nazr.
  await expect(page.locator('input[name="form[nazr_purpose]"]')).toBeHidden();
  await page.selectOption('#intention', 'nazr');
  await expect(page.locator('input[name="form[nazr_purpose]"]')).toBeVisible();
  await page.selectOption('#intention', 'kaffareh');
  await expect(page.locator('input[name="form[nazr_purpose]"]')).toBeHidden();
  const rule = choice.locator('li[data-intention=kaffareh]');
  await expect(rule).toBeVisible();
  await expect(rule).toContainText('غذا');
  await expect(choice.locator('li[data-intention=zakat]')).toBeHidden();
  await page.click('#give-submit');
  await payAtSandbox(page);
  await expect(page.locator('#receipt-status')).toHaveText('پرداخت شد — سپاس از شما');
  await expect(page.locator('#receipt-intention')).toHaveText('کفاره');
  await expect(page.locator('#receipt')).toContainText('صندوق غذا');
});

test('the rules of each intention are published, in English too', async ({ page }) => {
  await page.goto('/give/intentions');
  await hydrated(page);
  await expect(page.locator('section[data-intention] h2')).toHaveCount(5);
  await expect(page.locator('section[data-intention=kaffareh]')).toContainText('غذا');
  await page.locator('#lang-switch').click();
  await expect(page.locator('html')).toHaveAttribute('dir', 'ltr');
  await expect(page.locator('h1')).toHaveText('How each intention is spent');
  await expect(page.locator('section[data-intention=kaffareh]')).toContainText('Reaches: Food');
  await expect(page.locator('section[data-intention=zakat]')).toContainText('every kind of need, and release campaigns');
  await page.locator('#lang-switch').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'fa');
});

test.describe('an intention without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('a nazr needs its purpose, which the receipt never shows', async ({ page }) => {
    await page.goto('/give');
    // Every rule and the purpose field simply show.
    await expect(page.locator('input[name="form[nazr_purpose]"]')).toBeVisible();
    await expect(page.locator('#give-intention li[data-intention]')).toHaveCount(5);
    await page.selectOption('#intention', 'nazr');
    await page.click('#give-submit');
    await expect(page).toHaveURL(/error=give.nazr_purpose_invalid.*intention=nazr/);
    await expect(page.locator('#intention')).toHaveValue('nazr');
    await expect(page.locator('#form-error')).toHaveText('بنویسید نذر برای چه بوده است، در ۳ تا ۲۰۰ نویسه.');
    await page.fill('input[name="form[nazr_purpose]"]', 'نذر قبولی دخترم در کنکور');
    await page.click('#give-submit');
    await payAtSandbox(page);
    await expect(page.locator('#receipt-intention')).toHaveText('نذر');
    await expect(page.locator('#receipt')).not.toContainText('کنکور');
  });
});
