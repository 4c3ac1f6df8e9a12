// Publishes every materializeUserHome and cloneRepository on node:diagnostics_channel tracing
// channels, the convention undici and node:http follow: an APM agent or OpenTelemetry
// instrumentation that subscribes to `tracing:home-native:clone:start` (and :end, :asyncStart,
// :asyncEnd, :error) sees each call with no code in the worker. The context carries what
// identifies the call and, once it settles, its `result` (the report) or `error`; never a secret:
// the URL goes out without its user info and through the caller's redact.
import { tracingChannel, type TracingChannel } from 'node:diagnostics_channel';
import type { CloneTraceContext, MaterializeTraceContext } from '../index';

export const cloneChannel: TracingChannel<unknown, CloneTraceContext> = tracingChannel('home-native:clone');
export const materializeChannel: TracingChannel<unknown, MaterializeTraceContext> = tracingChannel('home-native:materialize');

/** Whether anyone listens on any of the channel's five events. */
function observed<C extends object>(channel: TracingChannel<unknown, C>): boolean {
  return (
    channel.start.hasSubscribers ||
    channel.end.hasSubscribers ||
    channel.asyncStart.hasSubscribers ||
    channel.asyncEnd.hasSubscribers ||
    channel.error.hasSubscribers
  );
}

/**
 * Runs `call` traced on `channel`. Without a subscriber it is `call()` itself: the context is
 * not even built, so an unobserved channel costs one check per call.
 */
export function traced<R, C extends object>(channel: TracingChannel<unknown, C>, context: () => C, call: () => Promise<R>): Promise<R> {
  if (!observed(channel)) return call();
  return channel.tracePromise(call, context());
}
