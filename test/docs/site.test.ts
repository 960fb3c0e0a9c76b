// What neither VitePress's dead-link check (pages' own links) nor remark-validate-links (links between the
// markdown files) sees: the sidebar and the navigation of docs/.vitepress/config.mts, and the promises of issue 19
// about the READMEs' shape.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { documentationPages, root } from './markdownSamples';

const config = readFileSync(join(root, 'docs/.vitepress/config.mts'), 'utf8');
/** Every `link: '/…'` of the config: the sidebar's and the navigation's. */
const links = [...config.matchAll(/link: '([^']+)'/g)].map((match) => match[1] ?? '');
/** The page a site link shows: `/guide/axios` → docs/guide/axios.md, `/api/` → docs/api/index.md. */
const pageOf = (link: string) => `docs${link.endsWith('/') ? `${link}index` : link}.md`;

describe('the site', () => {
  it('links from the sidebar and the navigation to pages that exist', () => {
    const handWritten = links.filter((link) => !link.startsWith('/api/'));
    expect(handWritten.length).toBeGreaterThan(15);
    expect(handWritten.filter((link) => !existsSync(join(root, pageOf(link))))).toEqual([]);
  });

  it('lists every page in the sidebar', () => {
    const listed = new Set(links.map(pageOf));
    const pages = documentationPages().filter(
      (page) => page.startsWith('docs/') && page !== 'docs/index.md' && !page.startsWith('docs/api/'),
    );
    expect(pages.filter((page) => !listed.has(page))).toEqual([]);
  });
});

describe('the READMEs', () => {
  it('README.md fits in 300 lines', () => {
    expect(readFileSync(join(root, 'README.md'), 'utf8').trimEnd().split('\n').length).toBeLessThanOrEqual(
      300,
    );
  });

  it('each package README links to its page of the documentation', () => {
    const unlinked = readdirSync(join(root, 'packages'))
      .filter((name) => existsSync(join(root, 'packages', name, 'README.md')))
      .filter(
        (name) =>
          !/\]\(\.\.\/\.\.\/docs\/[\w/-]+\.md(#[\w-]+)?\)/.test(
            readFileSync(join(root, 'packages', name, 'README.md'), 'utf8'),
          ),
      );
    expect(unlinked).toEqual([]);
  });
});
