/**
 * Test support: which queries reach the store. `logQueries(store)` gives the same store with every
 * query recorded as SQL; an app built on it and served through `serve(app)` has the queries made on
 * behalf of its requests told apart from background work (the install watch, the audit batches).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Express } from 'express';
import type { KyselyPlugin } from 'kysely';
import type { Store } from '../store/store.ts';
import type { AgentTarget } from './users.ts';

export interface LoggedQuery {
  sql: string;
  /** Made while a request served through `serve` was being answered. */
  forRequest: boolean;
}

export interface QueryLog {
  /** The store to build on: the same database and listener, its queries recorded. */
  store: Store;
  /** The app as a supertest target whose requests' queries are marked `forRequest`. */
  serve(app: Express): AgentTarget;
  /** The queries recorded since the last `take`, and forgets them. */
  take(): LoggedQuery[];
}

const answering = new AsyncLocalStorage<true>();

export function logQueries(store: Store): QueryLog {
  let logged: LoggedQuery[] = [];
  const compiler = store.db.getExecutor();
  const plugin: KyselyPlugin = {
    transformQuery({ node, queryId }) {
      logged.push({
        sql: compiler.compileQuery(node, queryId).sql,
        forRequest: answering.getStore() === true,
      });
      return node;
    },
    transformResult: ({ result }) => Promise.resolve(result),
  };
  return {
    store: { ...store, db: store.db.withPlugin(plugin) },
    serve: (app) => (req: IncomingMessage, res: ServerResponse) => {
      answering.run(true, () => {
        app(req, res);
      });
    },
    take: () => {
      const taken = logged;
      logged = [];
      return taken;
    },
  };
}
