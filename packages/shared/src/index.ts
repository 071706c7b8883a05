export * from './form.ts';
export * from './userData.ts';
export * from './catalog.ts';
export * from './payload.ts';
export type * from './api.ts';
export * from './image/sniff.ts';
