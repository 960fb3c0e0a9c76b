// The interleaving properties of the adapters (packages/axios, packages/fetch), transport-neutral: the model
// auth server, the scheduler-driven scenario, the invariants. Each package adds its transport adapter in
// support/propertyModel.ts. fakeAuth.ts and helpers.ts (the example-based tests' auth rules and helpers) are
// imported by path: their RefreshFailure is another one. tabsRun.ts (the cross-tab properties' runs, on axios)
// is imported by path too.
export * from './authModel';
export * from './commands';
export * from './dpop';
export * from './invariants';
export * from './scenario';
export * from './sessionModels';
