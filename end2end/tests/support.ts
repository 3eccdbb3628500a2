import { Page } from '@playwright/test';

// Collects console errors and uncaught exceptions of the page (a test expects none).
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

// Resolves once the wasm app has hydrated (frontend::hydrate marks <html data-hydrated>).
export async function hydrated(page: Page) {
  await page.waitForSelector('html[data-hydrated]', { state: 'attached' });
}

// Signs in through the form and waits to leave the sign-in page.
export async function signInAs(page: Page, email: string, password: string) {
  await page.goto('/signin');
  await hydrated(page);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/signin'));
}
