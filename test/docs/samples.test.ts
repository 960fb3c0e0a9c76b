// Every ```ts / ```tsx sample of README.md, the package READMEs and docs/**/*.md, type-checked against the
// workspace's packages (test/docs/markdownSamples.ts says how). A sample that does not compile, or that a test
// claims to run but no longer holds, fails here with its page and line.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  documentationPages,
  missingLines,
  readSamples,
  root,
  type Sample,
  type SampleError,
  typeCheck,
} from './markdownSamples';

const pages = documentationPages();
const samples = pages.flatMap((page) => readSamples(page));
const checked = samples.filter((sample) => sample.marker?.kind !== 'skip');
const format = (errors: SampleError[]) =>
  errors.map((error) => `${error.at} TS${error.code} ${error.message}`);

let result: ReturnType<typeof typeCheck>;
beforeAll(() => {
  result = typeCheck(checked);
}, 120_000);

describe('the documentation samples', () => {
  it('are found on every page that has them', () => {
    const pagesWithSamples = new Set(samples.map((sample) => sample.page));
    for (const page of [
      'README.md',
      'docs/guide/getting-started.md',
      'docs/guide/react.md',
      'docs/guide/fetch.md',
    ]) {
      expect(pagesWithSamples).toContain(page);
    }
    expect(checked.length).toBeGreaterThan(40);
  });

  it('type-check against the workspace packages', () => {
    expect(format(result.errors)).toEqual([]);
  });

  it('are skipped only rarely, and each skip says why', () => {
    const skipped = samples.filter((sample) => sample.marker?.kind === 'skip');
    for (const sample of skipped) {
      const reason = sample.marker?.kind === 'skip' ? sample.marker.reason : '';
      expect(reason.split(/\s+/).length, `${sample.page}:${sample.line}`).toBeGreaterThanOrEqual(5);
    }
    expect(skipped.length).toBeLessThanOrEqual(6);
  });

  it('that a test runs as written are held, line for line, by that test', () => {
    const running = samples.filter(
      (sample): sample is Sample & { marker: { kind: 'runs'; file: string } } =>
        sample.marker?.kind === 'runs',
    );
    expect(running.length).toBeGreaterThan(0);
    for (const sample of running) {
      expect(existsSync(join(root, sample.marker.file)), sample.marker.file).toBe(true);
      expect(missingLines(sample, sample.marker.file), `${sample.page}:${sample.line}`).toEqual([]);
    }
  });
});

describe('the sample checks can fail', () => {
  const readmeMain = () => {
    const main = checked.find((sample) => sample.page === 'README.md' && sample.name === 'main.tsx');
    if (!main) throw new Error('README.md has no block named main.tsx');
    return main;
  };

  it('a slip in a sample is a type error, placed at its page and line', () => {
    const main = readmeMain();
    const slipped = {
      ...main,
      code: main.code.replace('attachAuth(api, session)', 'attachAuth(session, api)'),
    };
    expect(slipped.code).not.toBe(main.code);
    const siblings = checked.filter((sample) => sample.page === 'README.md' && sample !== main);

    const { errors } = typeCheck([slipped, ...siblings], result.program);

    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]?.at).toMatch(/^README\.md:\d+:\d+$/);
  });

  it('a name no sample declares and docs/samples.d.ts does not know is an error', () => {
    const page = 'docs/guide/example.md';
    const [sample] = readSamples(page, 'Text.\n\n```ts\nsessoin.signOut();\n```\n');
    if (!sample) throw new Error('no sample read');

    const { errors } = typeCheck([sample], result.program);

    expect(errors.map((error) => [error.at, error.code])).toEqual([[`${page}:4:1`, 2552]]);
  });

  it('a marker that says something else is an error, and so is a skip without a reason', () => {
    expect(() => readSamples('x.md', '<!-- sample: skipp -->\n\n```ts\nconst a = 1;\n```\n')).toThrow(
      /sample marker/,
    );
    expect(() => readSamples('x.md', '<!-- sample: skip -->\n\n```ts\nconst a = 1;\n```\n')).toThrow(
      /sample marker/,
    );
  });

  it('a line a runs-in sample has and its test does not is reported', () => {
    const [sample] = readSamples(
      'x.md',
      '<!-- sample: runs in test/docs/fixtures/api.ts -->\n\n```ts\nexport interface paths {\nconst notThere = 1;\n```\n',
    );
    if (!sample) throw new Error('no sample read');
    expect(missingLines(sample, 'test/docs/fixtures/api.ts')).toEqual(['const notThere = 1;']);
  });
});
