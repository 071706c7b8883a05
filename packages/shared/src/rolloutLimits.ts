/**
 * A rollout's limits, apart from its schemas: the server list's selection bar reads them, and a
 * module with zod schemas at its top would bring zod into that page's first load.
 */
export const ROLLOUT_NAME_MAX_LENGTH = 100;
/** One rollout covers at most this many servers: the fleet one listing call returns. */
export const MAX_ROLLOUT_SERVERS = 1000;
export const MAX_ROLLOUT_DATACENTERS = 50;
