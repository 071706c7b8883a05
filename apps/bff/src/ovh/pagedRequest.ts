/**
 * OVH's expanded list pages: `GET /dedicated/server` answers full objects, one page per call, when
 * asked with its `X-Pagination-*` headers (the way OVH's own Control Panel lists servers), and says
 * the total in `X-Pagination-Elements`. node-ovh 3.0.0 builds its request headers itself and hands
 * back only the body, so it can neither ask for a page nor read the total. These GETs are therefore
 * made beside it, on the same HTTPS agent: signed by node-ovh's own `signRequest` with the clock
 * offset node-ovh learnt (`apiTimeDiff`), exactly as node-ovh signs its calls. Pagination headers
 * are not part of OVH's signature. Everything else the console sends still goes through node-ovh.
 */
import https from 'node:https';
import type { OvhClient } from '@ovhcloud/node-ovh';
import type { ClockSync } from './clockSync.ts';
import { normaliseOvhError, timeoutError, type OvhError } from './errors.ts';

/** OVH's Control Panel asks pages of up to 5000 objects. */
export const MAX_PAGE_SIZE = 5000;

export type PageFilterOp = 'eq' | 'ne' | 'lt' | 'gt' | 'like' | 'in';

export interface PageFilter {
  /** A field of the object, nested ones dotted (`iam.displayName`). */
  field: string;
  op: PageFilterOp;
  /** `like` takes `%` wildcards; `in` a list. */
  value: string | readonly string[];
}

export interface PageQuery {
  size: number;
  /** From 1. */
  number: number;
  sort?: string;
  order?: 'ASC' | 'DESC';
  /** All must hold. */
  filters?: readonly PageFilter[];
}

export interface Page<T> {
  items: T[];
  /** `X-Pagination-Elements`: every object matching the filters, across all pages. */
  total: number;
}

/** One page of a list route; rejects with an `OvhError`. */
export type OvhPageTransport = (path: string, query: PageQuery) => Promise<Page<unknown>>;

/** The request headers of a page, as OVH's Control Panel writes them. */
export function paginationHeaders(query: PageQuery): Record<string, string> {
  const headers: Record<string, string> = {
    'X-Pagination-Mode': 'CachedObjectList-Pages',
    'X-Pagination-Size': String(query.size),
    'X-Pagination-Number': String(query.number),
  };
  if (query.sort) {
    headers['X-Pagination-Sort'] = encodeURIComponent(query.sort);
    headers['X-Pagination-Sort-Order'] = query.order ?? 'ASC';
  }
  if (query.filters?.length) {
    headers['X-Pagination-Filter'] = query.filters
      .map(({ field, op, value }) => {
        const encoded =
          typeof value === 'string'
            ? encodeURIComponent(value)
            : value.map((v) => encodeURIComponent(v)).join(',');
        return `${encodeURIComponent(field)}:${op}=${encoded}`;
      })
      .join('&');
  }
  return headers;
}

/**
 * `like`'s pattern for "contains `text`". `%` is `like`'s only wildcard and OVH documents no way
 * to escape it, so a `%` typed in a search is dropped rather than read as "anything".
 */
export function containsPattern(text: string): string {
  return `%${text.replaceAll('%', '')}%`;
}

function answerError(status: number, body: string, queryId: string | undefined): OvhError {
  let message: string | undefined;
  let ovhClass: string | undefined;
  try {
    const parsed = JSON.parse(body) as { message?: unknown; class?: unknown };
    if (typeof parsed.message === 'string') message = parsed.message;
    if (typeof parsed.class === 'string') ovhClass = parsed.class;
  } catch {
    // A body that is not OVH's JSON error: the status says enough.
  }
  return normaliseOvhError(
    { error: status, message },
    { status, ...(queryId ? { queryId } : {}), ...(ovhClass ? { ovhClass } : {}) },
  );
}

export function signedPageTransport(
  client: OvhClient,
  clock: ClockSync,
  timeoutMs: number,
): OvhPageTransport {
  return async (path, query) => {
    if (!clock.synced) await clock.ready();
    const fullPath = `${client.basePath}${path}`;
    const timestamp = Math.round(Date.now() / 1000) + (client.apiTimeDiff ?? 0);
    const headers: Record<string, string> = {
      ...paginationHeaders(query),
      'Content-Type': 'application/json',
      'X-Ovh-Application': client.appKey,
      'X-Ovh-Timestamp': String(timestamp),
    };
    if (typeof client.consumerKey === 'string') {
      headers['X-Ovh-Consumer'] = client.consumerKey;
      headers['X-Ovh-Signature'] = client.signRequest(
        'GET',
        `https://${client.host}${fullPath}`,
        '',
        timestamp,
      );
    }
    return new Promise<Page<unknown>>((resolve, reject) => {
      let queryId: string | undefined;
      const req = https.request(
        { host: client.host, port: client.port, path: fullPath, method: 'GET', headers },
        (res) => {
          const header = res.headers['x-ovh-queryid'];
          queryId = Array.isArray(header) ? header[0] : header;
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', (error) => reject(normaliseOvhError(error)));
          res.on('end', () => {
            clearTimeout(timer);
            const status = res.statusCode ?? 0;
            const body = Buffer.concat(chunks).toString('utf8');
            if (status < 200 || status > 299) {
              reject(answerError(status, body, queryId));
              return;
            }
            let items: unknown;
            try {
              items = JSON.parse(body);
            } catch {
              reject(normaliseOvhError('[OVH] Unable to parse JSON reponse'));
              return;
            }
            const total = Number(res.headers['x-pagination-elements']);
            if (!Array.isArray(items) || !Number.isSafeInteger(total) || total < 0) {
              reject(
                normaliseOvhError(
                  `[OVH] ${path} answered without a page (no array or no X-Pagination-Elements)`,
                ),
              );
              return;
            }
            resolve({ items, total });
          });
        },
      );
      const timer = setTimeout(() => {
        req.destroy();
        reject(timeoutError('GET', path, timeoutMs, queryId ? { status: 0, queryId } : undefined));
      }, timeoutMs);
      req.on('error', (error) => {
        clearTimeout(timer);
        reject(normaliseOvhError(error));
      });
      req.end();
    });
  };
}
