import { authRetry } from '@reauth/react-query';
import { describe, expect, it, vi } from 'vitest';

// On the server TanStack does not retry by default (`retry: isServer ? 0 : 3`): neither does authRetry.
vi.mock('@tanstack/react-query', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@tanstack/react-query')>()),
  isServer: true,
}));

describe('authRetry on the server', () => {
  it('never retries, as TanStack’s default there', () => {
    expect(authRetry(0, new Error('boom'))).toBe(false);
    expect(authRetry(0, { status: 500 })).toBe(false);
  });
});
