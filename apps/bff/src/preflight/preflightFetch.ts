/**
 * The guarded client every preflight fetch goes through, configured from the console's settings:
 * PREFLIGHT_ALLOW_HOSTS opens chosen private hosts, and simulator mode opens loopback so the demo
 * image server and the tests work.
 */
import { createAddressGuard, type Resolver } from './addressGuard.ts';
import { createSafeFetch, type SafeFetch } from './safeFetch.ts';

export interface PreflightFetchSettings {
  mode: 'real' | 'simulator';
  preflightAllowHosts: string[];
}

export function createPreflightFetch(
  settings: PreflightFetchSettings,
  options: { resolver?: Resolver; timeoutMs?: number; idleTimeoutMs?: number } = {},
): SafeFetch {
  const guard = createAddressGuard({
    allowHosts: settings.preflightAllowHosts,
    allowLoopback: settings.mode === 'simulator',
    ...(options.resolver ? { resolver: options.resolver } : {}),
  });
  return createSafeFetch({
    guard,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.idleTimeoutMs !== undefined ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
  });
}
