/**
 * Which servers a user may see: shell-style name patterns (`*` any run of characters, `?` one
 * character), case-insensitive because OVH service names are lower-case DNS names.
 */
const PATTERN_RULE = /^[A-Za-z0-9.*?_-]{1,253}$/;

export function isValidServerPattern(pattern: string): boolean {
  return PATTERN_RULE.test(pattern);
}

function toRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

/** Compiles the patterns once; the matcher answers whether a server name is allowed. */
export function compileServerPatterns(
  patterns: readonly string[],
): (serverName: string) => boolean {
  const regexps = patterns.map(toRegExp);
  return (serverName) => regexps.some((re) => re.test(serverName));
}
