// @ovhcloud/node-ovh 3.0.0 ships no types: the part the tests use.
declare module '@ovhcloud/node-ovh' {
  interface OvhClientOptions {
    appKey: string;
    appSecret: string;
    consumerKey?: string;
    host?: string;
    port?: number;
    basePath?: string;
    timeout?: number;
  }
  interface OvhClient {
    apiTimeDiff: number | null;
    requestPromised(
      method: string,
      path: string,
      params?: Record<string, unknown>,
    ): Promise<unknown>;
  }
  /** Rejections are `{ error, message }`: error is the HTTP status, an errno, a string or the socket Error; message the body's `message`. */
  export interface OvhRejection {
    error: number | string | Error;
    message: string | null;
  }
  function ovh(options: OvhClientOptions): OvhClient;
  export default ovh;
}
