import { createDpopResource, createFakeSigner, readProof } from '#test-support/model/dpop';
import { setup } from './setup';

/** The paths of the fake API that check DPoP proofs (others answer as the fake API does). */
export const DPOP_PATHS = ['/items', '/other', ...Array.from({ length: 6 }, (_, i) => `/items/${i}`)];

/**
 * A signed-in session with a fake DPoP signer (test/support/model/dpop.ts), an authFetch on the fake API, and
 * {@link DPOP_PATHS} answered by a resource server that checks each proof; `proofsOf(path)` reads back what
 * each send to `path` carried.
 */
export function dpopSetup(options: Parameters<typeof setup>[0] = {}) {
  const signer = createFakeSigner();
  const made = setup({ ...options, session: { dpop: signer, ...options.session } });
  const resource = createDpopResource((token) => made.api.check(token));
  for (const path of DPOP_PATHS) {
    made.api.route(path, ({ send }) => {
      const reply = resource.answer({
        method: send.method,
        url: send.url,
        authorization: send.authorization,
        proof: send.headers.dpop ?? null,
      });
      return { status: reply.status, json: reply.body, headers: reply.headers };
    });
  }
  const proofsOf = (path: string) => made.api.sendsOf(path).map((send) => readProof(send.headers.dpop));
  return { ...made, signer, resource, proofsOf };
}
