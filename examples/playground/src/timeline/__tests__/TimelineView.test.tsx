import { createRoot, type Root } from 'react-dom/client';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Timeline } from '../createTimeline';
import { TimelineView } from '../TimelineView';
import { diagnosed, holdRefresh, nextFrame, setup } from './support';

let root: Root | undefined;
let container: HTMLDivElement | undefined;

// Rendered as in a browser, without act(): the view animates on its own frames, and the tests wait for the DOM.
// happy-dom runs frames back to back; a browser's pace keeps the animation from starving the test.
beforeAll(() => {
  vi.stubGlobal('requestAnimationFrame', (callback: FrameRequestCallback) =>
    setTimeout(() => callback(performance.now()), 16),
  );
  vi.stubGlobal('cancelAnimationFrame', (handle: ReturnType<typeof setTimeout>) => clearTimeout(handle));
});
afterAll(() => {
  vi.unstubAllGlobals();
});
afterEach(() => {
  root?.unmount();
  container?.remove();
  root = undefined;
});

async function render(timeline: Timeline) {
  container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
  root.render(<TimelineView timeline={timeline} />);
  await vi.waitFor(() => expect(container?.querySelector('[data-testid="timeline"]')).not.toBeNull());
  return container;
}

/** Lets the timeline's batched notification and React's render run. */
const refresh = async () => {
  await nextFrame();
  await new Promise((resolve) => setTimeout(resolve, 20));
};

const all = (view: HTMLElement, testId: string) => [...view.querySelectorAll(`[data-testid="${testId}"]`)];
const data = (element: Element, name: string) => element.getAttribute(`data-${name}`);

describe('<TimelineView>', () => {
  it("tells one request's story step by step, diagnosis included, for a click on its row or a pick in the list", async () => {
    const { http, timeline, server, signIn, expire } = setup({ now: Date.now });
    signIn();
    const view = await render(timeline);
    expire();
    const gate = holdRefresh(server);
    const sent = Promise.all(['/a', '/b'].map((path) => http.get(path)));
    await vi.waitFor(() => expect(diagnosed(timeline)).toBe(2));
    gate.resolve();
    await sent;
    await refresh();

    expect(view.querySelector('.timeline-steps')).toBeNull();
    const rowB = all(view, 'timeline-request')[1] as SVGGElement;
    rowB.querySelector('.tl-row')?.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    await refresh();
    const steps = () => [...view.querySelectorAll('.timeline-steps li')].map((step) => step.textContent);
    expect(steps()).toEqual([
      // First the send; its offset from the request's start is whatever the clock ticked between the two (0 or 1
      // ms on a loaded machine, seen in CI), which nothing promises.
      expect.stringMatching(/^\+\d ms sent → 401 in \d+ ms — expired_token: .+/),
      expect.stringMatching(/waited \d+ ms for the refresh or the sign-in$/),
      expect.stringMatching(/replayed → 200 in \d+ ms$/),
      expect.stringMatching(/settled: ✓ 200$/),
    ]);
    expect(rowB.classList.contains('tl-selected')).toBe(true);
    expect((view.querySelector('.timeline-details select') as HTMLSelectElement).value).toBe(
      rowB.getAttribute('data-request-id'),
    );

    // The keyboard's way: the list (latest first).
    const select = view.querySelector('.timeline-details select') as HTMLSelectElement;
    const rowA = all(view, 'timeline-request')[0] as SVGGElement;
    select.value = rowA.getAttribute('data-request-id') ?? '';
    select.dispatchEvent(new Event('change', { bubbles: true }));
    await refresh();
    expect(rowA.classList.contains('tl-selected')).toBe(true);
    expect(steps()[0]).toMatch(/sent → 401/);
    expect([...select.options].map((option) => option.textContent)).toEqual([
      'Pick one, or click its row above',
      expect.stringMatching(/^#\d+ GET \/b$/),
      expect.stringMatching(/^#\d+ GET \/a$/),
    ]);
  });

  it('draws 3 expired requests as 3 rows of 2 sends with a diagnosed 401, one refresh bar ok, all ✓ 200', async () => {
    const { http, timeline, server, signIn, expire } = setup({ now: Date.now });
    signIn();
    const view = await render(timeline);
    expire();
    const gate = holdRefresh(server);

    const sent = Promise.all(['/a', '/b', '/c'].map((path) => http.get(path)));
    await vi.waitFor(() => expect(diagnosed(timeline)).toBe(3));
    await refresh();
    expect(all(view, 'timeline-refresh').map((bar) => data(bar, 'outcome'))).toEqual(['pending']);
    expect(all(view, 'timeline-request').map((row) => data(row, 'outcome'))).toEqual([
      'pending',
      'pending',
      'pending',
    ]);
    gate.resolve();
    await sent;
    await refresh();

    const rows = all(view, 'timeline-request');
    expect(rows.map((row) => [data(row, 'sends'), data(row, 'outcome'), data(row, 'status')])).toEqual([
      ['2', 'ok', '200'],
      ['2', 'ok', '200'],
      ['2', 'ok', '200'],
    ]);
    expect(rows.map((row) => row.textContent)).toEqual([
      expect.stringMatching(/GET \/a.*✓ 200/),
      expect.stringMatching(/GET \/b.*✓ 200/),
      expect.stringMatching(/GET \/c.*✓ 200/),
    ]);
    expect(view.querySelectorAll('svg .tl-401')).toHaveLength(3);
    expect(view.querySelector('svg .tl-401 title')?.textContent).toMatch(/^401 — expired_token: /);
    expect(view.querySelectorAll('svg .tl-wait')).toHaveLength(3);
    expect(view.querySelectorAll('svg .tl-replay')).toHaveLength(3);
    expect(all(view, 'timeline-refresh').map((bar) => data(bar, 'outcome'))).toEqual(['ok']);
    expect(all(view, 'timeline-refresh')[0]?.textContent).toMatch(/^✓ /);
    const groups = all(view, 'timeline-diagnosis');
    expect(groups.map((group) => [data(group, 'cause'), data(group, 'count')])).toEqual([
      ['expired_token', '3'],
    ]);
    expect(groups[0]?.textContent).toMatch(/^3 × expired_token — The token expired/);
    expect(view.querySelector('svg[role="img"]')?.getAttribute('aria-label')).toBe(
      '3 requests, 1 refresh, 0 sign-in prompts, 3 × 401',
    );
  });

  it('shows the sign-in prompt open, then cancelled, and the waiting rows ✗ REAUTH_CANCELLED', async () => {
    const { session, http, timeline, server, signIn, expire } = setup({ now: Date.now });
    signIn();
    const view = await render(timeline);
    expire();
    server.refuseRefresh = true;
    session.onReauth(() => new Promise(() => {}));

    const failed = http.get('/a').catch((error: unknown) => error);
    await vi.waitFor(() => expect(timeline.getSnapshot().prompts).toHaveLength(1));
    await refresh();
    expect(all(view, 'timeline-prompt').map((bar) => data(bar, 'outcome'))).toEqual(['open']);
    expect(all(view, 'timeline-refresh').map((bar) => data(bar, 'outcome'))).toEqual(['failed']);
    expect(all(view, 'timeline-refresh')[0]?.textContent).toMatch(/✗ SESSION_EXPIRED|✗ REFRESH/);

    session.cancelReauth();
    await failed;
    await refresh();

    expect(all(view, 'timeline-prompt').map((bar) => data(bar, 'outcome'))).toEqual(['cancelled']);
    const [row] = all(view, 'timeline-request');
    expect([data(row!, 'outcome'), data(row!, 'status'), data(row!, 'sends')]).toEqual([
      'failed',
      'REAUTH_CANCELLED',
      '1',
    ]);
    expect(row?.textContent).toMatch(/✗ REAUTH_CANC/);
  });

  it('empties the rows on Clear', async () => {
    const { http, timeline, signIn } = setup({ now: Date.now });
    signIn();
    const view = await render(timeline);
    await http.get('/a');
    await refresh();
    expect(all(view, 'timeline-request')).toHaveLength(1);

    view.querySelector('button')?.click();
    await refresh();

    expect(all(view, 'timeline-request')).toHaveLength(0);
    expect(view.textContent).toContain('No requests yet');
  });

  it('stops animating when nothing is in flight and nothing changed lately', async () => {
    let clock = 1_000;
    const { http, timeline, signIn } = setup({ now: () => clock });
    signIn();
    await render(timeline);
    await http.get('/a');
    clock += 10_000; // long after the last change
    await refresh();
    await refresh();
    const frames = vi.fn();
    vi.stubGlobal('requestAnimationFrame', frames);

    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(frames).not.toHaveBeenCalled();
  });
});
