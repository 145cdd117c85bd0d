import { test, expect } from '@playwright/test';
import { hydrated, signIn } from './staff-auth';

// The split bundle: a donor's phone never downloads staff, case-work, admin, employment or account
// code, and the staff pages still come alive when someone goes there.
const PUBLIC = ['/', '/needs', '/give', '/release', '/transparency', '/receipt', '/sign-in'];
const PRIVATE_ROUTE_CHUNK =
  /(account|employment_dashboard|workshops|entrepreneur_register|jobs|contract|staff_employment|staff_admin|staff_home|intake|family|need_case|campaign_case|approval|security|kpi|audit|staff_matches|restitution|sponsorships)_route_view/;

function pkgRequests(page: import('@playwright/test').Page) {
  const fetched: string[] = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith('/pkg/') && /\.(js|wasm)$/.test(u.pathname)) fetched.push(u.pathname);
  });
  return fetched;
}

test('public pages download no staff, case-work, employment or account code', async ({ page }) => {
  const fetched = pkgRequests(page);
  for (const path of PUBLIC) {
    await page.goto(path);
    await hydrated(page);
  }
  expect(fetched.some((f) => f.endsWith('.wasm'))).toBeTruthy();
  expect(fetched.filter((f) => PRIVATE_ROUTE_CHUNK.test(f))).toEqual([]);
});

test('a staff page loads its own chunk and hydrates, on first load and by navigation', async ({ page }) => {
  const fetched = pkgRequests(page);
  await signIn(page, 'social.worker@demo.karamat.ir', true);
  await expect(page).toHaveURL(/\/staff$/);
  await hydrated(page);
  expect(fetched.some((f) => /staff_home_route_view/.test(f))).toBeTruthy();
  // A full load of another lazy page fetches its chunk before hydrating.
  await page.goto('/staff/security');
  await hydrated(page);
  expect(fetched.some((f) => /security_route_view/.test(f))).toBeTruthy();
});
