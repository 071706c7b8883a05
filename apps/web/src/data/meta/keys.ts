export const metaKeys = {
  all: ['meta'] as const,
};
