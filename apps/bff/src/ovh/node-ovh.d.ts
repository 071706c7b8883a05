// @ovhcloud/node-ovh 3.0.0 ships no types: the subset this app calls, from its lib/ovh.js.
declare module '@ovhcloud/node-ovh' {
  export interface OvhClientOptions {
    endpoint?: string;
    appKey: string;
    appSecret: string;
    consumerKey: string;
    host?: string;
    port?: number;
    basePath?: string;
    /** Socket idle timeout, ms. It only aborts the socket; the promise may never settle. */
    timeout?: number;
    apiTimeDiff?: number;
  }

  export interface OvhClient {
    /** The application key, host, port and base path the client was built with (lib/ovh.js keeps them). */
    readonly appKey: string;
    readonly consumerKey: string | null;
    readonly host: string;
    readonly port: number;
    readonly basePath: string;
    /**
     * `$1$` + SHA-1 of `appSecret+consumerKey+method+url+body+timestamp`: OVH's signature, as
     * node-ovh computes it for its own requests (`url` is `https://` + host + path, no port).
     */
    signRequest(method: string, url: string, body: string, timestamp: number | string): string;
    /**
     * OVH's clock minus the local one, seconds; `null` until known, and then node-ovh fetches
     * `GET /auth/time` before every signed call. Read and written by lib/ovh.js itself.
     */
    apiTimeDiff: number | null | undefined;
    /**
     * Rejects with `{ error, message }`: `error` is an HTTP status, a negative errno, a string or an
     * Error; `message` is OVH's error message when there is one.
     */
    requestPromised(
      method: 'GET' | 'POST' | 'PUT' | 'DELETE',
      path: string,
      params?: object,
    ): PromiseLike<unknown>;
  }

  function ovh(options: OvhClientOptions): OvhClient;
  export default ovh;
}
