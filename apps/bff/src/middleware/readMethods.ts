/** The methods that change nothing: no role, CSRF token or fresh session check needed for them. */
export const READ_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);
