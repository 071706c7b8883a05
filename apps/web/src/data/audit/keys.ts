export const auditKeys = {
  all: ['audit'] as const,
  recent: (limit: number) => [...auditKeys.all, 'recent', limit] as const,
};
