// packages/react's test support, used as it is (one copy): the README's login modal and the msw kit on msw/node.
export * from '#react-test-support/LoginModal';
export * from '#react-test-support/mockApi';
