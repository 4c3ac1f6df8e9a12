// fetchUserEnvironment over the real Convex HTTP client: one client per deployment URL, each call
// bounded by a timeout, every answer validated, every failure an ERR_BACKEND with the worker
// token scrubbed out.
import { format } from 'node:util';
import { ConvexHttpClient } from 'convex/browser';
import { makeFunctionReference } from 'convex/server';
import type { UserEnvironment } from '../index';
import { backendError } from './backend-error';
import { activeCall, boundedFetch, type ActiveCall } from './bounded-fetch';
import { parseUserEnvironment } from './environment-schema';
import { HomeNativeError, fromNative } from './errors';
import { redactUrlCredentials, redactUrlsInText, scrubberFor, type Scrub } from './scrub';
import { backendTimeoutMs, required } from './settings';

/** The backend's action, referenced by name: the worker does not ship the backend's generated api. */
const functionName = 'userDotfilesNode:getEnvironmentForJob';
const getEnvironmentForJob = makeFunctionReference<'action', { workerToken: string; jobId: string }, unknown>(functionName);

/**
 * The client logs the function's log lines. Route them to stderr (stdout may be a CLI's JSON
 * output) and scrub the token the backend might have logged.
 */
function scrubbingLogger() {
  const write = (...args: unknown[]) => {
    // Drop the browser's `%c` colour directive and its CSS argument.
    const [first, ...rest] = args;
    const parts = typeof first === 'string' && first.includes('%c') ? [first.replaceAll('%c', ''), ...rest.slice(1)] : args;
    const scrub = activeCall.getStore()?.scrub ?? scrubConfiguredToken;
    process.stderr.write(`${scrub(format(...parts))}\n`);
  };
  return { log: write, warn: write, error: write, logVerbose: () => undefined };
}

// Outside a call (never expected): scrub whatever token is configured now.
function scrubConfiguredToken(text: string): string {
  try {
    return scrubberFor(required('workerToken'))(text);
  } catch {
    return text;
  }
}

let cached: { url: string; client: ConvexHttpClient } | undefined;
let clientsCreated = 0;

function clientFor(url: string, scrub: Scrub): ConvexHttpClient {
  if (cached?.url === url) return cached.client;
  if (!/^https?:\/\//.test(url)) {
    throw new HomeNativeError('ERR_NOT_CONFIGURED', `convexUrl must be an http:// or https:// URL, got ${redactUrlCredentials(url)}`);
  }
  try {
    const client = new ConvexHttpClient(url, { fetch: boundedFetch, logger: scrubbingLogger() });
    cached = { url, client };
    clientsCreated++;
    return client;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new HomeNativeError('ERR_NOT_CONFIGURED', `convexUrl is not usable: ${redactUrlsInText(scrub(message))}`);
  }
}

/** Points the error's stack at the caller of the public function, as callNative does. */
function fromCallSite(error: HomeNativeError, callSite: Error): HomeNativeError {
  const frames = callSite.stack?.split('\n').slice(1).join('\n');
  if (frames) error.stack = `${error.name} [${error.code}]: ${error.message}\n${frames}`;
  return error;
}

/** The job owner's environment from the Convex backend, validated; null when there is none. */
export async function fetchUserEnvironment(jobId: string): Promise<UserEnvironment | null> {
  const callSite = new Error();
  if (typeof jobId !== 'string' || jobId === '') {
    throw fromCallSite(new HomeNativeError('ERR_INVALID_ARG_TYPE', 'fetchUserEnvironment: jobId must be a non-empty string'), callSite);
  }
  let scrub: Scrub = (text) => text;
  let url = '';
  try {
    url = required('convexUrl').replace(/\/+$/, '');
    const workerToken = required('workerToken');
    scrub = scrubberFor(workerToken);
    const client = clientFor(url, scrub);
    const timeoutMs = backendTimeoutMs();
    const call: ActiveCall = { signal: AbortSignal.timeout(timeoutMs), timedOut: false, tooLarge: false, timeoutMs, scrub };
    let value: unknown;
    try {
      value = await activeCall.run(call, () => client.action(getEnvironmentForJob, { workerToken, jobId }));
    } catch (error) {
      call.timedOut = call.signal.aborted;
      throw backendError(error, call, { functionName, url: redactUrlCredentials(url), scrub });
    }
    return parseUserEnvironment(value, `the environment for job ${jobId}`);
  } catch (error) {
    if (!(error instanceof HomeNativeError)) throw error;
    // Belt and braces: no error of this function may carry the token, whatever built it.
    throw fromNative(error, callSite, scrub);
  }
}

/** Tests: how many clients were made in this process (one per deployment URL in use). */
export function convexClientsCreated(): number {
  return clientsCreated;
}
