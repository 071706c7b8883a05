/**
 * The one place that calls node-ovh: one HTTP request, bounded by our own timeout (node-ovh's
 * `timeout` only aborts the socket and can leave its promise pending), failures normalised.
 */
import type { OvhClient } from '@ovhcloud/node-ovh';
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
    const timer = setTimeout(() => reject(timeoutError(method, path, timeoutMs)), timeoutMs);
    // node-ovh deletes keys from `params` as it goes: give it a copy.
    Promise.resolve(client.requestPromised(method, path, params ? { ...params } : {})).then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (rejection: unknown) => {
        clearTimeout(timer);
        reject(normaliseOvhError(rejection));
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
