import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium } from '../browser/support/browser';
import {
  buildPlayground,
  burstResult,
  cardsReady,
  fire,
  kitStats,
  modal,
  openPlayground,
  type PageLog,
  paintsOf,
  recordPaints,
  serveStatic,
  signIn,
  status,
  statusesByPath,
  TOKEN_SHAPES,
  timelineRows,
} from './support/playground';

type Model = 'tokens' | 'refresh' | 'session';

const ADMIN = 'Admin action (needs MFA)';
const ACTION = '/api/admin/audit/export';
const STEP_UP = '/api/auth/step-up';
const CODE = '123456';

interface PlaygroundWindow {
  playground: { api: { get(path: string): Promise<{ status: number }> } };
}

// The playground's step-up lever (RFC 9470) in Chromium, in each session model: an admin action the server answers
// 401 `insufficient_user_authentication`, `acr_values="mfa"` until the token (or cookie session) comes from a sign-in
// with a one-time code. The production build; a fresh browser context (fresh servers, no cookies) per test.
describe.runIf(hasChromium())("the playground's step-up lever in Chromium", () => {
  let browser: Browser;
  let app: { url: string; close(): Promise<void> };
  let removeBuild: () => Promise<void>;
  let context: BrowserContext;
  let log: PageLog;

  beforeAll(async () => {
    const built = await buildPlayground();
    removeBuild = built.remove;
    app = await serveStatic(built.outDir);
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await removeBuild?.();
  });
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    log = { errors: [], console: [] };
  });
  afterEach(async () => {
    // No uncaught error, and no token in the page, its storage or anything it logged (the stronger one included).
    for (const page of context.pages()) {
      expect(await page.content()).not.toMatch(TOKEN_SHAPES);
      expect(
        await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage, c: document.cookie })),
      ).not.toMatch(TOKEN_SHAPES);
    }
    await context.close();
    expect(log.errors).toEqual([]);
    expect(log.console.filter((line) => TOKEN_SHAPES.test(line))).toEqual([]);
  });

  /** Bob (an admin) signed in, in `model`, the dashboard loaded. */
  async function signedInAsBob(model: Model): Promise<Page> {
    const page = await context.newPage();
    await openPlayground(page, model === 'tokens' ? app.url : `${app.url}?model=${model}`, log);
    await signIn(page, 'bob', 'builder');
    await cardsReady(page, ['profile', 'projects', 'notifications', 'audit']);
    return page;
  }
  const adminButton = (page: Page) => page.getByRole('button', { name: ADMIN, exact: true });
  /** Each click of the lever: "<state> <code>", in click order. */
  const attempts = (page: Page) =>
    page
      .getByTestId('admin-attempt')
      .evaluateAll((items) =>
        items.map((item) => `${item.getAttribute('data-state')} ${item.getAttribute('data-code')}`.trim()),
      );
  const stepUpModal = async (page: Page) => {
    await modal(page).getByRole('heading', { name: 'Verify it’s you' }).waitFor({ timeout: 10_000 });
    return modal(page);
  };
  const refreshOutcomes = async (page: Page) =>
    (await kitStats(page)).refreshCalls.map((call) => call.outcome);
  const prompts = (page: Page, outcome: string) =>
    page.locator(`[data-testid="timeline-prompt"][data-outcome="${outcome}"]`).count();
  // Another request of the app, sent while the step-up modal is open (the modal makes the page inert to clicks).
  const otherRequest = (page: Page, path: string) =>
    page.evaluate(
      (url) => (window as unknown as PlaygroundWindow).playground.api.get(url).then((r) => r.status),
      path,
    );

  for (const model of ['tokens', 'refresh', 'session'] as const) {
    it(`${model}: the lever opens the step-up modal (acr, max_age); the code resumes the admin request — one step-up, no refresh, signed in throughout`, async () => {
      await recordPaints(context);
      const page = await signedInAsBob(model);
      const refreshesBefore = await refreshOutcomes(page);

      await adminButton(page).click();
      const dialog = await stepUpModal(page);
      expect(await dialog.getAttribute('data-reason')).toBe('step_up');
      expect(await dialog.textContent()).toContain('This action needs a stronger sign-in.');
      const asked = dialog.getByTestId('step-up-asked');
      expect(await asked.getAttribute('data-acr')).toBe('mfa');
      expect(await asked.getAttribute('data-max-age')).toBe('300');
      expect(await asked.textContent()).toContain('acr_values="mfa"');
      expect(await asked.textContent()).toContain('no older than 5 min');
      expect(await dialog.getByTestId('step-up-hint').textContent()).toContain(CODE);
      // A code, not a password: the field for it has the focus.
      expect(await dialog.getByLabel('Password').count()).toBe(0);
      const codeField = dialog.getByLabel('One-time code');
      expect(await codeField.evaluate((input) => input === document.activeElement)).toBe(true);
      // The session stays signed in, and other requests go on unheld while the admin request waits.
      expect(await status(page)).toBe('signedIn');
      expect(await otherRequest(page, '/projects')).toBe(200);
      expect(await attempts(page)).toEqual(['pending']);

      await codeField.fill(CODE);
      await dialog.getByRole('button', { name: 'Verify and resume' }).click();
      await expect.poll(() => attempts(page), { timeout: 10_000 }).toEqual(['ok']);
      expect(await modal(page).count()).toBe(0);
      expect(await status(page)).toBe('signedIn');

      // The token (or session) the code gave opens the action at once: no second step-up.
      await adminButton(page).click();
      await expect.poll(() => attempts(page), { timeout: 10_000 }).toEqual(['ok', 'ok']);

      const stats = await kitStats(page);
      const byPath = statusesByPath(stats);
      expect(byPath[ACTION]).toEqual([401, 200, 200]);
      expect(byPath[STEP_UP]).toEqual([200]);
      // No refresh, no new login: the step-up is neither.
      expect(await refreshOutcomes(page)).toEqual(refreshesBefore);
      expect(stats).toMatchObject({ logins: 1, reuseDetected: 0 });
      // The other routes take what the step-up gave (a real token of the kit, or the same cookie).
      await page.getByRole('button', { name: 'Refetch dashboard' }).click();
      // The cards were ready before the click too: wait for the refetch itself to reach the server.
      await expect
        .poll(async () => statusesByPath(await kitStats(page))['/api/profile'], { timeout: 10_000 })
        .toEqual([200, 200]);
      await cardsReady(page, ['profile', 'projects', 'notifications', 'audit']);

      // The header never left "signed in" after the sign-in: no refresh, no re-authentication of the session.
      const { statuses } = await paintsOf(page);
      expect(statuses.slice(statuses.indexOf('signedIn'))).toEqual(['signedIn']);
      expect(await prompts(page, 'resolved')).toBe(1);
      await expect.poll(() => timelineRows(page, ACTION)).toEqual(['2 ok 200', '1 ok 200']);
      const diagnosis = page.locator(
        '[data-testid="timeline-diagnosis"][data-cause="insufficient_user_authentication"]',
      );
      expect(await diagnosis.getAttribute('data-count')).toBe('1');
    }, 60_000);
  }

  it('tokens: a wrong code keeps the modal open and says so; the right one then resumes the request', async () => {
    const page = await signedInAsBob('tokens');
    await adminButton(page).click();
    const dialog = await stepUpModal(page);
    await dialog.getByLabel('One-time code').fill('000000');
    await dialog.getByRole('button', { name: 'Verify and resume' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Wrong code. Try again.' }).waitFor();
    expect(await dialog.getByRole('heading', { name: 'Verify it’s you' }).isVisible()).toBe(true);
    expect(await attempts(page)).toEqual(['pending']);
    expect(statusesByPath(await kitStats(page))[STEP_UP]).toEqual([400]);

    await dialog.getByLabel('One-time code').fill(CODE);
    await dialog.getByRole('button', { name: 'Verify and resume' }).click();
    await expect.poll(() => attempts(page), { timeout: 10_000 }).toEqual(['ok']);
    expect(await modal(page).count()).toBe(0);
    const byPath = statusesByPath(await kitStats(page));
    expect(byPath[STEP_UP]).toEqual([400, 200]);
    expect(byPath[ACTION]).toEqual([401, 200]);
    expect(await refreshOutcomes(page)).toEqual([]);
  }, 60_000);

  for (const model of ['tokens', 'refresh', 'session'] as const) {
    it(`${model}: Cancel rejects only the admin request, with STEP_UP_CANCELLED; the session stays signed in and the rest works`, async () => {
      const page = await signedInAsBob(model);
      const refreshesBefore = await refreshOutcomes(page);
      await adminButton(page).click();
      const dialog = await stepUpModal(page);
      await dialog.getByRole('button', { name: 'Cancel' }).click();

      await expect.poll(() => attempts(page), { timeout: 10_000 }).toEqual(['failed STEP_UP_CANCELLED']);
      expect(await modal(page).count()).toBe(0);
      expect(await status(page)).toBe('signedIn');
      expect(await page.getByTestId('user').textContent()).toBe('bob (user, admin)');
      // Other requests work as before: the burst, with no refresh and no prompt.
      await fire(page);
      await expect.poll(() => burstResult(page).textContent(), { timeout: 15_000 }).toBe('20 / 20 succeeded');

      const stats = await kitStats(page);
      const byPath = statusesByPath(stats);
      // Sent once, refused once, never replayed; the step-up route never called.
      expect(byPath[ACTION]).toEqual([401]);
      expect(byPath[STEP_UP]).toBeUndefined();
      for (let n = 1; n <= 20; n++) expect(byPath[`/api/pulse/${n}`]).toEqual([200]);
      expect(await refreshOutcomes(page)).toEqual(refreshesBefore);
      expect(await prompts(page, 'cancelled')).toBe(1);
      await expect.poll(() => timelineRows(page, ACTION)).toEqual(['1 failed STEP_UP_CANCELLED']);

      // Asked again, it prompts again (a dismissal is not remembered as a refusal).
      await adminButton(page).click();
      await (await stepUpModal(page)).getByLabel('One-time code').fill(CODE);
      await modal(page).getByRole('button', { name: 'Verify and resume' }).click();
      await expect
        .poll(() => attempts(page), { timeout: 10_000 })
        .toEqual(['failed STEP_UP_CANCELLED', 'ok']);
    }, 60_000);
  }

  it('tokens: Escape in the step-up modal is a dismissal too', async () => {
    const page = await signedInAsBob('tokens');
    await adminButton(page).click();
    await stepUpModal(page);
    await page.keyboard.press('Escape');
    await expect.poll(() => attempts(page), { timeout: 10_000 }).toEqual(['failed STEP_UP_CANCELLED']);
    expect(await modal(page).count()).toBe(0);
    expect(await status(page)).toBe('signedIn');
  }, 60_000);

  it('tokens: concurrent admin clicks share one modal, and one code resumes both', async () => {
    const page = await signedInAsBob('tokens');
    // Two clicks in one task: both requests are sent before either is answered.
    await adminButton(page).evaluate((button: HTMLButtonElement) => {
      button.click();
      button.click();
    });
    const dialog = await stepUpModal(page);
    // Answered only once both were refused: the second 401 joins the open prompt.
    await expect
      .poll(async () => statusesByPath(await kitStats(page))[ACTION], { timeout: 10_000 })
      .toEqual([401, 401]);
    expect(await page.locator('dialog[open]').count()).toBe(1);
    expect(await prompts(page, 'open')).toBe(1);
    expect(await attempts(page)).toEqual(['pending', 'pending']);

    await dialog.getByLabel('One-time code').fill(CODE);
    await dialog.getByRole('button', { name: 'Verify and resume' }).click();
    await expect.poll(() => attempts(page), { timeout: 10_000 }).toEqual(['ok', 'ok']);
    const byPath = statusesByPath(await kitStats(page));
    expect(byPath[ACTION]).toEqual([401, 401, 200, 200]);
    expect(byPath[STEP_UP]).toEqual([200]);
    expect(await refreshOutcomes(page)).toEqual([]);
    expect(await prompts(page, 'resolved')).toBe(1);
    expect(await modal(page).count()).toBe(0);
  }, 60_000);

  it('is disabled for a user who is not an admin, and says why', async () => {
    const page = await context.newPage();
    await openPlayground(page, app.url, log);
    await signIn(page, 'alice', 'wonderland');
    await cardsReady(page, ['profile']);
    expect(await adminButton(page).isDisabled()).toBe(true);
    expect(await page.locator('.admin-action').textContent()).toContain('Admins only: sign in as bob.');
  });
});
