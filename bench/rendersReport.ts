import { countRenders } from './renders';
import { formatTable } from './table';

/**
 * 4. Re-renders over `refreshes` token refreshes for the same user. Counts, not time: deterministic.
 * Prints the table; returns the figures for latest.json.
 */
export async function reportRenders(settings: { refreshes: number }) {
  console.log(
    `4. Re-renders: components reading the session during ${settings.refreshes} refreshes (same user)`,
  );
  const components = await countRenders(settings.refreshes);
  console.log(
    formatTable(
      ['component', 'mount', 'renders during refreshes', 'per refresh'],
      components.map(({ name, mount, duringRefreshes }) => [
        name,
        String(mount),
        String(duringRefreshes),
        (duringRefreshes / settings.refreshes).toFixed(2),
      ]),
    ),
  );
  console.log('');
  return { settings, components };
}
