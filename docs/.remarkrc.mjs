// The link check of `pnpm docs:links` (remark-validate-links): links to files and headings in the READMEs (root,
// packages, examples), bench/*.md and docs/**/*.md. Headings are slugged as GitHub does; the site uses the same
// anchors (docs/.vitepress/config.mts), so a link that passes here lands on its heading in both places.
import remarkFrontmatter from 'remark-frontmatter';
import remarkValidateLinks from 'remark-validate-links';

export default {
  plugins: [
    remarkFrontmatter,
    // No Git remote to resolve absolute GitHub URLs against: every link is checked as a path.
    [remarkValidateLinks, { repository: false }],
  ],
};
