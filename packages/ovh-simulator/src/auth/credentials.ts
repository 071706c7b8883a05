import { randomBytes, randomInt } from 'node:crypto';
import { NotFoundError } from '../errors.ts';
import { globMatches } from '../glob.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
export const HTTP_METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'DELETE'];

export interface AccessRule {
  method: HttpMethod;
  /** Relative to `/1.0`, `*` as wildcard, e.g. `/dedicated/server/*`. */
  path: string;
}

/** `auth.CredentialStateEnum`. */
export type CredentialStatus = 'pendingValidation' | 'validated' | 'refused' | 'expired';

export interface Credential {
  credentialId: number;
  applicationKey: string;
  consumerKey: string;
  rules: AccessRule[];
  status: CredentialStatus;
  creation: string;
  lastUse: string | null;
}

export interface Application {
  applicationKey: string;
  applicationSecret: string;
}

export const FULL_ACCESS: readonly AccessRule[] = HTTP_METHODS.map((method) => ({
  method,
  path: '/*',
}));

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random keys in OVH's format: AK 16 chars, AS and CK 32 chars, alphanumeric. */
export function randomKey(length: number): string {
  const bytes = randomBytes(length);
  return Array.from(bytes, (byte) => ALPHANUMERIC[byte % ALPHANUMERIC.length]).join('');
}

/** Validates access rules the way `POST /auth/credential` does; throws a sentence on bad input. */
export function parseAccessRules(value: unknown): AccessRule[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new TypeError(
      'accessRules must be a non-empty array of { method, path }, e.g. [{ "method": "GET", "path": "/dedicated/server/*" }].',
    );
  }
  return value.map((rule: unknown, index) => {
    const { method, path } = (rule ?? {}) as { method?: unknown; path?: unknown };
    if (typeof method !== 'string' || !HTTP_METHODS.includes(method as HttpMethod)) {
      throw new TypeError(
        `accessRules[${index}].method must be one of ${HTTP_METHODS.join(', ')}.`,
      );
    }
    if (typeof path !== 'string' || !path.startsWith('/')) {
      throw new TypeError(
        `accessRules[${index}].path must start with "/", e.g. "/dedicated/server/*".`,
      );
    }
    return { method: method as HttpMethod, path };
  });
}

/** Application keys and consumer keys known to this simulator. */
export class CredentialStore {
  readonly #applications = new Map<string, Application>();
  readonly #credentials = new Map<string, Credential>();

  addApplication(application: Application): void {
    this.#applications.set(application.applicationKey, application);
  }

  application(applicationKey: string): Application | undefined {
    return this.#applications.get(applicationKey);
  }

  create(
    applicationKey: string,
    rules: readonly AccessRule[],
    consumerKey = randomKey(32),
  ): Credential {
    const credential: Credential = {
      credentialId: randomInt(100_000_000, 999_999_999),
      applicationKey,
      consumerKey,
      rules: rules.map((rule) => ({ ...rule })),
      status: 'pendingValidation',
      creation: new Date().toISOString(),
      lastUse: null,
    };
    this.#credentials.set(consumerKey, credential);
    return credential;
  }

  get(consumerKey: string): Credential | undefined {
    return this.#credentials.get(consumerKey);
  }

  validate(consumerKey: string): Credential {
    return this.#setStatus(consumerKey, 'validated');
  }

  revoke(consumerKey: string): Credential {
    return this.#setStatus(consumerKey, 'expired');
  }

  #setStatus(consumerKey: string, status: CredentialStatus): Credential {
    const credential = this.#credentials.get(consumerKey);
    if (!credential)
      throw new NotFoundError(
        `No consumer key ${consumerKey} exists in this simulator; create one with POST /1.0/auth/credential first.`,
      );
    credential.status = status;
    return credential;
  }
}

export function isGranted(rules: readonly AccessRule[], method: string, path: string): boolean {
  return rules.some((rule) => rule.method === method && globMatches(rule.path, path));
}
