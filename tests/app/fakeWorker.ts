// The store's worker client, faked for the store tests: every call is recorded in `calls` and
// answered by `replies[name]` (a missing reply fails the call). In a test file:
//   vi.mock('../../src/page/store/client', async () => (await import('./fakeWorker')).clientMock());
export const calls: { name: string; args: unknown }[] = [];
export const replies: Record<string, (args: unknown) => unknown> = {};

export const clientMock = () => ({
  WorkerCallError: class extends Error {},
  flushWorkerEvents: () => {},
  worker: () => ({
    call: async (name: string, args: unknown) => {
      calls.push({ name, args });
      const reply = replies[name];
      if (!reply) throw new Error(`no fake reply for ${name}`);
      return reply(args);
    },
  }),
});
