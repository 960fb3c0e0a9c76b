// Takes the README's screenshots of the playground in Debian's chromium (playwright-core).
// With `npm start` running: `pnpm --filter playground screenshots [url]` (default http://127.0.0.1:5173/).
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const url = process.argv[2] ?? 'http://127.0.0.1:5173/';
const out = (name) => fileURLToPath(new URL(`../screenshots/${name}`, import.meta.url));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
  ],
});

async function signedIn(context, username, password) {
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => 'playground' in window);
  const form = page.locator('.sign-in');
  await form.getByLabel('Username').fill(username);
  await form.getByLabel('Password').fill(password);
  await form.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('[data-testid="card-projects"][data-state="ready"][aria-busy="false"]').waitFor();
  await page.getByRole('button', { name: 'Clear' }).click();
  return page;
}

const lever = async (page, name) => {
  await page.getByRole('button', { name }).click();
  await page.getByText(`Done: ${name.toLowerCase()}.`).waitFor();
};

try {
  // 1. Silent refresh: 20 requests with an expired token → one refresh → 20 replays.
  let context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  let page = await signedIn(context, 'bob', 'builder');
  await lever(page, 'Expire access token');
  await page.getByRole('button', { name: 'Fire 20 requests' }).click();
  await page.getByText('20 / 20 succeeded').waitFor();
  await page.waitForTimeout(2_000); // the timeline settles on the burst
  await page.screenshot({ path: out('silent-refresh.png'), fullPage: true });
  await context.close();

  // 2. The refresh is refused: the login modal, the dashboard behind it; 3. after signing in, the queue resumed.
  context = await browser.newContext({ viewport: { width: 1280, height: 760 }, deviceScaleFactor: 1 });
  page = await signedIn(context, 'alice', 'wonderland');
  await lever(page, 'Revoke refresh token');
  await lever(page, 'Expire access token');
  await page.getByRole('button', { name: 'Fire 20 requests' }).click();
  const modal = page.locator('dialog[open]');
  await modal.getByLabel('Password').waitFor();
  await page.waitForTimeout(300);
  await page.screenshot({ path: out('login-modal.png') });
  await modal.getByLabel('Password').fill('wonderland');
  await modal.getByRole('button', { name: 'Sign in and resume' }).click();
  await page.getByText('20 / 20 succeeded').waitFor();
  await page.waitForTimeout(2_000);
  await page.getByTestId('timeline').screenshot({ path: out('queue-resumed.png') });
  await context.close();
  console.log(`screenshots written to ${fileURLToPath(new URL('../screenshots/', import.meta.url))}`);
} finally {
  await browser.close();
}
