/**
 * What the web app sends, from outside the process: the session and CSRF cookies it was given, the
 * `X-CSRF-Token` header and a same-origin `Origin`. `on(other)` carries the same cookies to another
 * replica, as a load balancer would send the same browser to either.
 */
import { CSRF_COOKIE } from '../auth/cookies.ts';

export interface Answer<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export class ConsoleClient {
  readonly #cookies: Map<string, string>;

  constructor(
    readonly url: string,
    cookies: ReadonlyMap<string, string> = new Map(),
  ) {
    this.#cookies = new Map(cookies);
  }

  /** The same browser (cookies) talking to another replica. */
  on(url: string): ConsoleClient {
    return new ConsoleClient(url, this.#cookies);
  }

  async request<T = unknown>(
    method: string,
    route: string,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Answer<T>> {
    const headers: Record<string, string> = { origin: this.url, ...options.headers };
    if (this.#cookies.size > 0) {
      headers.cookie = [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    }
    const csrf = this.#cookies.get(CSRF_COOKIE);
    if (csrf !== undefined) headers['x-csrf-token'] = decodeURIComponent(csrf);
    let payload: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(options.body);
    }
    const res = await fetch(`${this.url}${route}`, {
      method,
      headers,
      ...(payload !== undefined ? { body: payload } : {}),
    });
    for (const line of res.headers.getSetCookie()) this.#keep(line);
    const text = await res.text();
    let body: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text !== '') {
      body = JSON.parse(text);
    }
    return { status: res.status, headers: res.headers, body: body as T };
  }

  get = <T = unknown>(route: string) => this.request<T>('GET', route);

  post = <T = unknown>(route: string, body: unknown, headers?: Record<string, string>) =>
    this.request<T>('POST', route, { body, ...(headers ? { headers } : {}) });

  /** `POST /api/session`; the cookies it sets are kept. */
  signIn(username: string, password: string): Promise<Answer> {
    return this.post('/api/session', { username, password });
  }

  #keep(setCookie: string): void {
    const [pair = '', ...attributes] = setCookie.split(';');
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const cleared =
      value === '' ||
      attributes.some((a) => /^\s*max-age\s*=\s*0\s*$/i.test(a)) ||
      attributes.some((a) => {
        const m = /^\s*expires\s*=(.*)$/i.exec(a);
        return m?.[1] !== undefined && Date.parse(m[1]) <= Date.now();
      });
    if (cleared) this.#cookies.delete(name);
    else this.#cookies.set(name, value);
  }
}

/** Signs in on `url` and fails with the answer when the console refuses. */
export async function signedIn(
  url: string,
  user: { username: string; password: string },
): Promise<ConsoleClient> {
  const client = new ConsoleClient(url);
  const res = await client.signIn(user.username, user.password);
  if (res.status !== 200) {
    throw new Error(
      `Sign-in of ${user.username} on ${url} answered ${res.status}: ${JSON.stringify(res.body)}`,
    );
  }
  return client;
}
