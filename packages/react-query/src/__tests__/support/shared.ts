// packages/react's test support, used as it is (one copy): the README's login modal and the msw kit on msw/node.
export * from '../../../../react/src/__tests__/support/LoginModal';
export * from '../../../../react/src/__tests__/support/mockApi';
