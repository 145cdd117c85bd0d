import { expect, Page } from '@playwright/test';
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const DEMO_PASSWORD = 'karamat-demo-1405';
/** The demo staff accounts' shared authenticator secret (documented in the README). */
export const DEMO_TOTP_SECRET = 'KARAMATDEMOSECRETFORSTAFFONLY234';

function base32(s: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of s.replace(/=+$/, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** RFC 6238: HMAC-SHA1 over the 30-second step, six digits. */
export function totp(secret: string, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32(secret)).update(counter).digest();
  const off = mac[mac.length - 1] & 0xf;
  const n = (mac.readUInt32BE(off) & 0x7fffffff) % 1_000_000;
  return n.toString().padStart(6, '0');
}

// The server accepts each step once per account (and one step ahead for clock drift), so the
// steps used are remembered across test files and retries.
const ledger = join(tmpdir(), `karamat-e2e-totp-${(process.env.BASE_URL || '3000').replace(/\W/g, '')}.json`);

export async function codeFor(email: string): Promise<string> {
  const used: Record<string, number> = existsSync(ledger) ? JSON.parse(readFileSync(ledger, 'utf8')) : {};
  for (;;) {
    const now = Math.floor(Date.now() / 30_000);
    const step = Math.max(now, (used[email] ?? -1) + 1);
    if (step <= now + 1) {
      used[email] = step;
      writeFileSync(ledger, JSON.stringify(used));
      return totp(DEMO_TOTP_SECRET, step);
    }
    await new Promise((r) => setTimeout(r, 2_000));
  }
}

export async function hydrated(page: Page) {
  // Set by an Effect that only runs in the browser after hydration.
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

/** Signs in through the form; staff accounts also type their authenticator code. */
export async function signIn(page: Page, email: string, staff: boolean, password = DEMO_PASSWORD) {
  await page.goto('/sign-in');
  await hydrated(page);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  if (staff) await page.fill('#sign-in-code', await codeFor(email));
  await page.click('#sign-in-form button[type=submit]');
}

/**
 * Types a date some days from today into a Persian date field (ui::DateField) as a person would:
 * the Solar Hijri day in Persian digits, the month by its name, the year.
 */
export async function fillPersianDate(page: Page, name: string, days: number) {
  const d = new Date(Date.now() + days * 86_400_000);
  const parts = new Intl.DateTimeFormat('en-US-u-ca-persian-nu-latn', {
    year: 'numeric', month: 'numeric', day: 'numeric', timeZone: 'UTC',
  }).formatToParts(d);
  const part = (t: string) => parts.find((p) => p.type === t)!.value;
  const persian = (s: string) => s.replace(/[0-9]/g, (c) => '۰۱۲۳۴۵۶۷۸۹'[Number(c)]);
  await page.fill(`input[name="${name}[d]"]`, persian(part('day')));
  await page.selectOption(`select[name="${name}[m]"]`, part('month'));
  await page.fill(`input[name="${name}[y]"]`, part('year'));
}
