// The fetch the shared Convex client uses. One client serves concurrent calls, so each call's
// deadline, scrubber and observations travel in AsyncLocalStorage rather than in the client.
// Bounds: the call's AbortSignal (which also covers reading the body) and a size cap on the body.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { CallRecord } from './backend-error';
import type { Scrub } from './scrub';
import { defaults } from './settings';

const maxResponseBytes = defaults.maxBackendResponseBytes;

/** The per-call state: its deadline and scrubber, and what the fetch saw. */
export interface ActiveCall extends CallRecord {
  signal: AbortSignal;
  scrub: Scrub;
}

export const activeCall = new AsyncLocalStorage<ActiveCall>();

const tooLarge = (call: ActiveCall) => {
  call.tooLarge = true;
  return new Error(`the answer is larger than ${maxResponseBytes} bytes`);
};

/** The same response, its body erroring once more than maxResponseBytes have arrived. */
function capped(response: Response, call: ActiveCall): Response {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxResponseBytes) {
    void response.body?.cancel();
    throw tooLarge(call);
  }
  if (!response.body) return response;
  let received = 0;
  const limiter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      received += chunk.byteLength;
      if (received > maxResponseBytes) controller.error(tooLarge(call));
      else controller.enqueue(chunk);
    },
  });
  return new Response(response.body.pipeThrough(limiter), {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

export const boundedFetch: typeof fetch = async (input, init) => {
  const call = activeCall.getStore();
  if (!call) return fetch(input, init);
  const response = await fetch(input, { ...init, signal: call.signal });
  call.status = response.status;
  return capped(response, call);
};
