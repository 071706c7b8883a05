import type { AuditQuery } from '@byoi/shared';

/** Nested query keys: invalidating `audit.all` refreshes every page. */
export const auditKeys = {
  all: ['audit'] as const,
  pages: () => [...auditKeys.all, 'page'] as const,
  page: (query: AuditQuery) => [...auditKeys.pages(), query] as const,
};
