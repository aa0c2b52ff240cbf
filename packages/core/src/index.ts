export * from './definition/index.js';
export * from './el/index.js';
export * from './errors.js';
export * from './gravitee/index.js';
export * from './ids.js';
export * from './policy/index.js';
export type * from './repository/types.js';
