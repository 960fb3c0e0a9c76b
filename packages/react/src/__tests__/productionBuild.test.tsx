import { useAuth } from '@reauth/react';
import { renderHook } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';

// A production build drops the development hint of the missing-provider error, and keeps the sentence that
// says what is wrong and where the hook belongs.
describe('the missing-provider error in a production build', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('names the hook and the provider it must be inside, without the development hint', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.stubEnv('NODE_ENV', 'production');
    let thrown: unknown;
    try {
      renderHook(() => useAuth());
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).message).toBe(
      '[reauth] useAuth must be used inside <AuthProvider session={...}>.',
    );
  });
});
