import { describe, expect, it } from 'vitest';
import { QUICK, runBench } from '../bench';
import { ISSUE16_QUICK, runIssue16, summarizeIssue16 } from '../issue16';

// Runs every part of the bench at tiny sizes so that it cannot rot unnoticed. Counts and outcomes only:
// nothing here depends on time (the machine is shared; `pnpm bench` reports the figures).
describe('bench smoke (every part at tiny sizes)', async () => {
  const { result, charts } = await runBench(QUICK);
  const storm = (name: string) => result.storm.scenarios.find((summary) => summary.name === name)!;

  it('writes every section into the result, and both charts as SVG', () => {
    expect(Object.keys(result)).toEqual(
      expect.arrayContaining(['machine', 'overhead', 'storm', 'memory', 'renders', 'sizes', 'durationMs']),
    );
    expect(result.overhead.axios.tasks.map(({ name }) => name)).toContain('axios-jwt');
    expect(result.overhead.fetch.tasks.map(({ name }) => name)).toContain('reauth createAuthFetch');
    for (const svg of Object.values(charts)) expect(svg).toMatch(/^<svg [^>]*>[\s\S]*<\/svg>\n$/);
  });

  it('reauth makes one refresh and every request of the storm succeeds, in both scenarios', () => {
    for (const name of ['reauth (401s: expiry unknown to client)', 'reauth (exp claim already past)']) {
      for (const run of storm(name).runs)
        expect(run).toMatchObject({ refreshCalls: 1, succeeded: 10, failed: 0 });
    }
    expect(result.storm.targets.every(({ correct }) => correct)).toBe(true);
  });

  it("the storm's refresh is the msw kit's: one rotation per run, the issue's storm pair all succeed", () => {
    expect(result.storm.issue16).toMatchObject({ requests: 10, allSucceeded: true });
    expect(storm('axios-auth-refresh deduplicateRefresh:false').runs[0]).toMatchObject({
      refreshCalls: 1,
      succeeded: 10,
      apiRequests: 20,
      unauthorized: 10,
    });
  });

  it('axios-auth-refresh with its defaults hands N-1 of the 401s back to the caller', () => {
    const [run] = storm('axios-auth-refresh defaults').runs;
    expect(run).toMatchObject({ refreshCalls: 1, succeeded: 1, failed: 9, failures: { 'HTTP 401': 9 } });
  });

  it('axios-jwt refreshes only on an exp it can read: 401s fail without a refresh', () => {
    expect(storm('axios-jwt (401s: expiry unknown to client)').runs[0]).toMatchObject({
      refreshCalls: 0,
      failed: 10,
    });
    expect(storm('axios-jwt (exp claim already past)').runs[0]).toMatchObject({
      refreshCalls: 1,
      succeeded: 10,
    });
  });

  it('the memory probe settles every queued reauth request', () => {
    const [unknown, past] = result.memory.probes;
    expect([unknown?.succeeded, past?.succeeded]).toEqual([100, 100]);
  });

  it('counts the renders each reader makes: status and whole 2 per refresh, isAuthenticated none', () => {
    const renders = Object.fromEntries(
      result.renders.components.map(({ name, duringRefreshes }) => [name, duringRefreshes]),
    );
    expect(renders).toEqual({
      'useAuth(s => s.status)': 10,
      'useAuth(s => s.isAuthenticated)': 0,
      'useAuth(s => s.user)': 5,
      'useAuth() (whole)': 10,
      'hand-written context: status': 10,
      'hand-written context: isAuthenticated': 10,
      'hand-written context: user': 10,
      'hand-written context: whole state': 10,
    });
  });

  it('measures every anchor bundle (the reauth ones once packages are built)', () => {
    for (const bundle of result.sizes.bundles) {
      if (bundle.missing) expect(bundle.missing).toMatch(/pnpm run build/);
      else expect(bundle.gzip).toBeGreaterThan(0);
    }
    expect(result.sizes.bundles.filter(({ missing }) => missing === undefined).length).toBeGreaterThanOrEqual(
      4,
    );
  });

  it("runs issue 16's three comparisons alone, and summarizes runs as a table and markdown rows", async () => {
    const run = await runIssue16(ISSUE16_QUICK);
    expect(run.storm).toMatchObject({ allSucceeded: true, refreshes: [1, 1] });
    for (const suite of [run.axios, run.fetch]) {
      expect(suite.wall.median).toBeGreaterThan(0);
      expect(suite.cpu.median).toBeGreaterThan(0);
    }
    const summary = summarizeIssue16([run, run]);
    expect(summary.rows.map(({ limit }) => limit)).toEqual(['≤ 1.05×', '≤ 1.05×', '≤ 1.2×']);
    expect(summary.markdown.split('\n')).toHaveLength(5);
  });
});
