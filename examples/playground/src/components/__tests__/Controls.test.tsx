import { createSession } from '@reauth/core';
import { AuthProvider } from '@reauth/react';
import { QueryClient } from '@tanstack/react-query';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ControlName } from '../../mock/protocol';
import type { Playground } from '../../setup';
import { PlaygroundProvider } from '../../usePlayground';
import { Controls } from '../Controls';

let root: Root | undefined;
let container: HTMLDivElement | undefined;

afterEach(() => {
  root?.unmount();
  container?.remove();
  root = undefined;
});

describe('<Controls>', () => {
  it('"Revoke refresh token" expires the access token too, and says why: alone, the next requests would show nothing', async () => {
    const pulled: ControlName[] = [];
    const mockApi = {
      control: async (name: ControlName) => {
        pulled.push(name);
      },
    } as unknown as Playground['mockApi'];
    const session = createSession({ crossTab: false, autoRefresh: false });
    const playground = { session, mockApi, queryClient: new QueryClient() } as Playground;
    container = document.createElement('div');
    document.body.append(container);
    root = createRoot(container);
    root.render(
      <AuthProvider session={session}>
        <PlaygroundProvider value={playground}>
          <Controls />
        </PlaygroundProvider>
      </AuthProvider>,
    );
    const view = container;
    const lever = await vi.waitFor(() => {
      const found = [...view.querySelectorAll('.levers li')].find(
        (item) => item.querySelector('button')?.textContent === 'Revoke refresh token',
      );
      expect(found).toBeDefined();
      return found as Element;
    });
    expect(lever.textContent).toMatch(/access token .*stay valid until it expires/);

    lever.querySelector('button')?.click();
    await vi.waitFor(() =>
      expect(view.querySelector('[data-testid="lever-done"]')?.textContent).toBe(
        'Done: revoke refresh token.',
      ),
    );
    expect(pulled).toEqual(['revokeRefreshTokens', 'expireAccessTokens']);
  });
});
