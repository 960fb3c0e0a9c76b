import { existsSync, readFileSync } from 'node:fs';
import { slug } from 'github-slugger';
import { type DefaultTheme, defineConfig } from 'vitepress';

// Headings get GitHub's anchors, so that a link checked by remark-validate-links (which slugs as GitHub does)
// lands on the same heading in the site.
const slugify = (text: string) => slug(text);

// TypeDoc writes the API reference and its sidebar before the site builds (`pnpm docs:api`).
const apiSidebarFile = new URL('../api/typedoc-sidebar.json', import.meta.url);
const apiSidebar: DefaultTheme.SidebarItem[] = existsSync(apiSidebarFile)
  ? JSON.parse(readFileSync(apiSidebarFile, 'utf8'))
  : [];

export const guide: DefaultTheme.SidebarItem[] = [
  {
    text: 'Start',
    items: [
      { text: 'Getting started', link: '/guide/getting-started' },
      { text: 'The playground', link: '/guide/playground' },
    ],
  },
  {
    text: 'Your HTTP client',
    items: [
      { text: 'axios', link: '/guide/axios' },
      { text: 'fetch, ky, openapi-fetch', link: '/guide/fetch' },
    ],
  },
  {
    text: 'Your app',
    items: [
      { text: 'React and the login modal', link: '/guide/react' },
      { text: 'TanStack Query', link: '/guide/tanstack-query' },
      { text: 'Where the credentials live', link: '/guide/session-models' },
      { text: 'React Native, offline, servers', link: '/guide/react-native' },
      { text: 'OAuth, DPoP, step-up', link: '/guide/oauth' },
      { text: 'Many tabs, one session', link: '/guide/many-tabs' },
    ],
  },
  {
    text: 'When something goes wrong',
    items: [
      { text: 'Why did I get a 401?', link: '/guide/why-401' },
      { text: 'Devtools and the event log', link: '/guide/devtools' },
      { text: 'Testing with the msw kit', link: '/guide/testing' },
    ],
  },
  {
    text: 'Moving from another library',
    items: [
      { text: 'From axios-auth-refresh', link: '/migrate/axios-auth-refresh' },
      { text: 'From axios-jwt', link: '/migrate/axios-jwt' },
    ],
  },
  {
    text: 'Reference',
    items: [
      { text: 'The session', link: '/reference/session' },
      { text: 'Guarantees', link: '/reference/guarantees' },
      { text: 'Security model', link: '/reference/security' },
      { text: 'Benchmarks', link: '/reference/benchmarks' },
      { text: 'API (generated)', link: '/api/' },
      { text: 'Contributing', link: '/contributing' },
    ],
  },
];

export default defineConfig({
  title: 'reauth',
  description:
    "Keep a web app's API calls working through expired sessions: one refresh, a queue, a login modal that resumes it.",
  lang: 'en',
  cleanUrls: true,
  srcExclude: ['**/README.md'],
  markdown: {
    anchor: { slugify },
    headers: { slugify },
    toc: { slugify },
  },
  themeConfig: {
    nav: [
      { text: 'Guide', link: '/guide/getting-started' },
      { text: 'Why a 401?', link: '/guide/why-401' },
      { text: 'Reference', link: '/reference/session' },
      { text: 'API', link: '/api/' },
    ],
    sidebar: {
      '/api/': [{ text: 'API reference', link: '/api/', items: apiSidebar }],
      '/': guide,
    },
    outline: { level: [2, 3] },
    search: { provider: 'local' },
  },
});
