/**
 * The one place that calls node-ovh: one HTTP request, bounded by our own timeout (node-ovh's
 * `timeout` only aborts the socket and can leave its promise pending), its answer traced so that a
 * failure carries OVH's class and query id (which node-ovh drops), failures normalised.
 */
import type { OvhClient } from '@ovhcloud/node-ovh';
import { AnswerTrace } from './answerTrace.ts';
import { ClockSync } from './clockSync.ts';
import { normaliseOvhError, timeoutError } from './errors.ts';

export type OvhMethod = 'GET' | 'POST';

/** One upstream request; rejects with an `OvhError`. */
export type OvhTransport = (method: OvhMethod, path: string, params?: object) => Promise<unknown>;

function request(
  client: OvhClient,
  timeoutMs: number,
  method: OvhMethod,
  path: string,
  params?: object,
): Promise<unknown> {
  return new Promise<unknown>((resolve, reject) => {
    const trace = new AnswerTrace();
    const timer = setTimeout(
      () => reject(timeoutError(method, path, timeoutMs, trace.finish())),
      timeoutMs,
    );
    // node-ovh deletes keys from `params` as it goes: give it a copy.
    const call = trace.run(() => client.requestPromised(method, path, params ? { ...params } : {}));
    Promise.resolve(call).then(
      (value) => {
        clearTimeout(timer);
        trace.finish();
        resolve(value);
      },
      (rejection: unknown) => {
        clearTimeout(timer);
        reject(normaliseOvhError(rejection, trace.finish()));
      },
    );
  });
}

export interface NodeOvhTransport {
  transport: OvhTransport;
  /** Learns OVH's clock once for every later signed call (see ClockSync). */
  clock: ClockSync;
}

export function nodeOvhTransport(client: OvhClient, timeoutMs: number): NodeOvhTransport {
  const clock = new ClockSync(client, () => request(client, timeoutMs, 'GET', '/auth/time'));
  const transport: OvhTransport = async (method, path, params) => {
    if (!clock.synced && path !== '/auth/time') await clock.ready();
    return request(client, timeoutMs, method, path, params);
  };
  return { transport, clock };
}
