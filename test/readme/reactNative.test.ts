// The documentation's React Native and Expo recipes (docs/guide/react-native.md, "Restoring on reload:
// asynchronous storage, React Native, offline"), read from the page itself so the two cannot drift apart:
// - type-checked as an app's code, with React Native's own tsconfig (@react-native/typescript-config: no DOM,
//   React Native's globals) against the real published types of react-native, AsyncStorage, NetInfo and
//   SecureStore. They are checked in a program of their own: React Native's globals (a `setTimeout` that
//   returns a number, its own `fetch`) would change the Node and DOM code of the repository's program.
// - run as written, the platform modules replaced by their shapes (no React Native runtime here), against the
//   msw kit at https://api.example.com.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as reauthAxios from '@reauth/axios';
import type { Session, WakeSignal } from '@reauth/core';
import * as core from '@reauth/core';
import type { AuthFetch } from '@reauth/fetch';
import * as reauthFetch from '@reauth/fetch';
import { createMockAuthServer } from '@reauth/msw';
import type { AxiosInstance } from 'axios';
import * as axiosModule from 'axios';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import ts from 'typescript';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const PAGE = 'docs/guide/react-native.md';
const SECTION = '## Restoring on reload: asynchronous storage, React Native, offline';

/** The section's three TypeScript blocks, in order: `wake.ts`, the React Native app, the Expo app. */
function readmeRecipes(): { wake: string; reactNative: string; expo: string } {
  const readme = readFileSync(`${root}${PAGE}`, 'utf8');
  const start = readme.indexOf(SECTION);
  if (start === -1) throw new Error(`${PAGE} has no section "${SECTION}"`);
  const end = readme.indexOf('\n#', start + SECTION.length);
  const blocks = [...readme.slice(start, end).matchAll(/```ts\n([\s\S]*?)```/g)].map(
    (match) => match[1] ?? '',
  );
  const [wake, reactNative, expo] = blocks;
  if (blocks.length !== 3 || wake === undefined || reactNative === undefined || expo === undefined) {
    throw new Error(
      `expected 3 ts blocks in the section of ${PAGE} (wake.ts, React Native, Expo), found ${blocks.length}`,
    );
  }
  return { wake, reactNative, expo };
}

const recipes = readmeRecipes();

// The recipes live, for the compiler, in a folder of the test package (which has the React Native packages),
// under the names their imports use.
const appDir = fileURLToPath(new URL('./react-native-app/', import.meta.url));
const reauthPaths = Object.fromEntries(
  ['core', 'axios', 'fetch'].map((name) => [`@reauth/${name}`, [`${root}packages/${name}/src/index.ts`]]),
);

/** Type-checks the files (name → source) as one React Native app; answers each file's errors, formatted. */
function typeErrors(files: Record<string, string>): Record<string, { codes: number[]; text: string }> {
  const paths = Object.fromEntries(
    Object.entries(files).map(([name, source]) => [`${appDir}${name}`, source]),
  );
  const config = ts.parseJsonConfigFileContent(
    {
      extends: '@react-native/typescript-config',
      // An app's `types: ["jest"]` left out (no jest here); @reauth/* are this repository's sources.
      compilerOptions: { types: [], paths: reauthPaths },
      files: Object.keys(paths),
    },
    ts.sys,
    appDir,
  );
  expect(config.errors.map((error) => ts.flattenDiagnosticMessageText(error.messageText, '\n'))).toEqual([]);
  const host = ts.createCompilerHost(config.options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.directoryExists = (name) => `${name}/` === appDir || ts.sys.directoryExists(name);
  host.fileExists = (name) => name in paths || ts.sys.fileExists(name);
  host.readFile = (name) => paths[name] ?? ts.sys.readFile(name);
  host.getSourceFile = (name, language, ...rest) => {
    const source = paths[name];
    return source === undefined
      ? getSourceFile(name, language, ...rest)
      : ts.createSourceFile(name, source, language);
  };
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options, host });
  const format: ts.FormatDiagnosticsHost = {
    getCanonicalFileName: (name) => name,
    getCurrentDirectory: () => root,
    getNewLine: () => '\n',
  };
  return Object.fromEntries(
    Object.keys(files).map((name) => {
      const diagnostics = ts.getPreEmitDiagnostics(program, program.getSourceFile(`${appDir}${name}`));
      return [
        name,
        { codes: diagnostics.map((d) => d.code), text: ts.formatDiagnostics(diagnostics, format) },
      ];
    }),
  );
}

describe('docs/guide/react-native.md: the React Native and Expo recipes type-check against the real packages', () => {
  it("type-check as a React Native app's code, and a slip in any import's use is an error", () => {
    const slip = (source: string, from: string, to: string) => {
      expect(source).toContain(from);
      return source.replaceAll(from, to);
    };
    const errors = typeErrors({
      'wake.ts': recipes.wake,
      'reactNative.ts': recipes.reactNative,
      'expo.ts': recipes.expo,
      // Each slip is caught only by the real declarations: react-native's AppStateStatus, NetInfo's state,
      // AsyncStorage v3's createAsyncStorage, SecureStore's functions, and reauth's WakeSignal.
      'slipAppState.ts': slip(recipes.wake, "state === 'active'", "state === 'awake'"),
      'slipNetInfo.ts': slip(recipes.wake, 'isConnected', 'isOnline'),
      'slipSignal.ts': slip(recipes.wake, "notify('foreground')", "notify('background')"),
      'slipAsyncStorage.ts': slip(recipes.reactNative, "createAsyncStorage('auth')", 'createAsyncStorage()'),
      'slipSecureStore.ts': slip(recipes.expo, 'SecureStore.deleteItemAsync', 'SecureStore.removeItemAsync'),
    });

    expect(errors['wake.ts']?.text).toBe('');
    expect(errors['reactNative.ts']?.text).toBe('');
    expect(errors['expo.ts']?.text).toBe('');
    // 2367: no overlap between AppStateStatus and 'awake'; 2339: no such property; 2345: not a WakeSignal;
    // 2554: createAsyncStorage(databaseName) takes one argument.
    expect(errors['slipAppState.ts']?.codes).toEqual([2367]);
    expect(errors['slipNetInfo.ts']?.codes).toEqual([2339]);
    expect(errors['slipSignal.ts']?.codes).toEqual([2345]);
    expect(errors['slipAsyncStorage.ts']?.codes).toEqual([2554]);
    expect(errors['slipSecureStore.ts']?.codes).toEqual([2339]);
  });
});

// Running the recipes: each block transpiled as written and run with `require` answering its imports.

/** An ES module's namespace as CommonJS sees a transpiled ES module. */
const esm = (namespace: object) => ({ __esModule: true, ...namespace });

/** Runs a recipe as a module of its own; `modules` answers its imports. Returns its exports. */
function run(source: string, modules: Record<string, object>): Record<string, unknown> {
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
    },
  });
  const exports: Record<string, unknown> = {};
  const require = (name: string) => {
    const found = modules[name];
    if (!found) throw new Error(`the recipe imports ${name}, which this test does not provide`);
    return found;
  };
  new Function('require', 'exports', outputText)(require, exports);
  return exports;
}

type AppStateStatus = 'active' | 'background' | 'inactive';
type Wake = (notify: (signal: WakeSignal) => void) => () => void;

/** React Native's AppState and NetInfo, as far as the recipe uses them: their listeners, called by the test. */
function platform() {
  const appListeners = new Set<(state: AppStateStatus) => void>();
  const netListeners = new Set<(state: { isConnected: boolean | null }) => void>();
  const AppState = {
    addEventListener: (_type: 'change', listener: (state: AppStateStatus) => void) => {
      appListeners.add(listener);
      return { remove: () => appListeners.delete(listener) };
    },
  };
  const NetInfo = {
    addEventListener: (listener: (state: { isConnected: boolean | null }) => void) => {
      netListeners.add(listener);
      return () => netListeners.delete(listener);
    },
  };
  const wakeModule = run(recipes.wake, {
    'react-native': esm({ AppState }),
    '@react-native-community/netinfo': esm({ default: NetInfo }),
  });
  return {
    wakeModule,
    listeners: () => appListeners.size + netListeners.size,
    setAppState: (state: AppStateStatus) => {
      for (const listener of appListeners) listener(state);
    },
    setConnected: (isConnected: boolean | null) => {
      for (const listener of netListeners) listener({ isConnected });
    },
  };
}

/** A device's key-value store that outlives the app's launches: AsyncStorage databases, or the Keychain. */
function deviceStore() {
  const items = new Map<string, string>();
  return {
    items,
    getItem: async (key: string) => items.get(key) ?? null,
    setItem: async (key: string, value: string) => void items.set(key, value),
    removeItem: async (key: string) => void items.delete(key),
  };
}

/** React Native's globals: `navigator.product`, a `window` without addEventListener, no BroadcastChannel. */
function asReactNative() {
  vi.stubGlobal('navigator', { product: 'ReactNative' });
  vi.stubGlobal('window', {});
  vi.stubGlobal('BroadcastChannel', undefined);
}

const API = 'https://api.example.com';
const alice = { username: 'alice', password: 'wonderland' };
const auth = createMockAuthServer({ baseUrl: API });
const server = setupServer(
  ...auth.handlers,
  auth.protect(http.get(`${API}/items`, () => HttpResponse.json([{ id: 1 }]))),
);

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  auth.controls.reset();
  vi.unstubAllGlobals();
  vi.useRealTimers();
  vi.restoreAllMocks();
});
afterAll(() => server.close());

describe('docs/guide/react-native.md: the React Native and Expo recipes, run as written', () => {
  it('wake: AppState back to active is a foreground check, NetInfo is online and offline, unsubscribe removes both', () => {
    const device = platform();
    const signals: WakeSignal[] = [];
    const unsubscribe = (device.wakeModule.wake as Wake)((signal) => signals.push(signal));

    for (const state of ['inactive', 'background', 'active'] as const) device.setAppState(state);
    for (const isConnected of [false, null, true]) device.setConnected(isConnected);
    unsubscribe();

    expect(signals).toEqual(['foreground', 'offline', 'online', 'online']);
    expect(device.listeners()).toBe(0);
  });

  it('React Native: the session saved in AsyncStorage is restored on the next launch; back in the foreground with a token about to expire, it refreshes', async () => {
    asReactNative();
    vi.useFakeTimers({ toFake: ['Date'] });
    const databases = new Map<string, ReturnType<typeof deviceStore>>();
    const createAsyncStorage = (name: string) =>
      databases.get(name) ?? databases.set(name, deviceStore()).get(name);
    const launch = () => {
      const device = platform();
      const app = run(recipes.reactNative, {
        '@react-native-async-storage/async-storage': esm({ createAsyncStorage }),
        '@reauth/axios': esm(reauthAxios),
        '@reauth/core': esm(core),
        axios: esm(axiosModule),
        './wake': device.wakeModule,
      });
      return { device, api: app.api as AxiosInstance, session: app.session as Session };
    };

    const first = launch();
    await first.session.ready();
    expect(first.session.getState().status).toBe('signedOut');
    first.session.signIn((await first.api.post('/auth/login', alice, { skipAuth: true })).data);
    await expect.poll(() => databases.get('auth')?.items.get('reauth')).toBeTypeOf('string');

    const next = launch();
    expect(next.session.getState().status).toBe('restoring');
    next.device.setConnected(true); // NetInfo's first answer, as on a device
    await next.session.ready();
    expect(next.session.getState()).toMatchObject({ status: 'signedIn', user: { sub: 'alice' } });
    expect((await next.api.get('/items')).status).toBe(200);

    vi.setSystemTime(Date.now() + 45_000); // 15 s left of a 60 s token: within the refresh leeway
    next.device.setAppState('active');
    await expect.poll(() => auth.stats.refreshes).toBe(1);
    expect(auth.stats.logins).toBe(1);
  });

  it('Expo: the session saved in SecureStore is restored on the next launch; offline, a refresh waits for the network', async () => {
    asReactNative();
    const keychain = deviceStore();
    const SecureStore = {
      getItemAsync: keychain.getItem,
      setItemAsync: keychain.setItem,
      deleteItemAsync: keychain.removeItem,
    };
    const launch = () => {
      const device = platform();
      const app = run(recipes.expo, {
        '@reauth/core': esm(core),
        '@reauth/fetch': esm(reauthFetch),
        'expo-secure-store': esm(SecureStore),
        './wake': device.wakeModule,
      });
      return { device, authFetch: app.authFetch as AuthFetch, session: app.session as Session };
    };
    const first = launch();
    await first.session.ready();
    const login = await first.authFetch(`${API}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alice),
      skipAuth: true,
    });
    first.session.signIn(await login.json());
    await expect.poll(() => keychain.items.get('reauth')).toBeTypeOf('string');

    const next = launch();
    await next.session.ready();
    expect(next.session.getState()).toMatchObject({ status: 'signedIn', user: { sub: 'alice' } });

    next.device.setConnected(false);
    auth.controls.expireAccessTokens();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    let isSettled = false;
    const request = next.authFetch(`${API}/items`).finally(() => {
      isSettled = true;
    });
    await expect.poll(() => auth.stats.requests.map((entry) => entry.status)).toEqual([401]);
    expect(auth.stats.refreshes).toBe(0);
    expect(isSettled).toBe(false);

    next.device.setConnected(true);
    expect((await request).status).toBe(200);
    expect(auth.stats.refreshes).toBe(1);
    expect(warn).toHaveBeenCalledWith(
      expect.stringContaining('401 on GET https://api.example.com/items: expired_token'),
    );
  });
});
