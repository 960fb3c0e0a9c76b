// msw keeps its cookie jar in localStorage, which workers don't have: the mock server's worker gets one in
// memory. Imported before msw (module evaluation follows import order).
if (typeof localStorage === 'undefined') {
  const items = new Map<string, string>();
  const storage: Storage = {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, String(value)),
    removeItem: (key) => void items.delete(key),
    clear: () => items.clear(),
    key: (index) => [...items.keys()][index] ?? null,
    get length() {
      return items.size;
    },
  };
  Object.defineProperty(globalThis, 'localStorage', { value: storage });
}
