/**
 * OVH access-rule paths use `*` as "anything, slashes included" (`GET /dedicated/server/*`
 * grants every sub-path, but not `/dedicated/server` itself). Faults reuse the same syntax.
 */
export function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`);
}

export function globMatches(pattern: string, path: string): boolean {
  return globToRegExp(pattern).test(path);
}
