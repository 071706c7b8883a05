/**
 * The names OVH gives dedicated servers (`ns3073436.ip-51-91-7.eu`, `ks1234.kimsufi.com`): DNS-like
 * labels of letters, digits, `-` and `_`, joined by single dots. A path segment that cannot be such
 * a name (`.`, `..`, one with a slash, a space or a control character) never reaches OVH, where
 * `/dedicated/server/./…` would address another route.
 */
export const SERVER_NAME_MAX_LENGTH = 253;

const LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?$/;

/** Why `name` cannot be a server OVH issued, or null when it can. */
export function serverNameProblem(name: string): string | null {
  if (name.length === 0 || name.length > SERVER_NAME_MAX_LENGTH) {
    return `A server name has 1 to ${SERVER_NAME_MAX_LENGTH} characters, e.g. ns3073436.ip-51-91-7.eu.`;
  }
  if (!name.split('.').every((label) => LABEL.test(label))) {
    return `"${printable(name)}" is not a server name OVH issues: letters, digits, - and _ in labels joined by single dots, e.g. ns3073436.ip-51-91-7.eu. Copy the name from the server list.`;
  }
  return null;
}

/** The name as it can be quoted back safely: control characters shown as escapes, kept short. */
function printable(name: string): string {
  const shown = name.replace(
    /\p{Cc}/gu,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return shown.length > 80 ? `${shown.slice(0, 77)}…` : shown;
}
