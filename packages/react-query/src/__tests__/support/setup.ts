import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// Testing Library cleans up by itself only where `afterEach` is a global; vitest's is not.
afterEach(cleanup);

// The end-to-end tests wait on real HTTP exchanges through msw on a shared, sometimes busy machine: give
// `findBy`/`waitFor` room (a passing test waits no longer; only a failing one reports later).
configure({ asyncUtilTimeout: 5_000 });
