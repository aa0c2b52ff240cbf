export * from './definition/index.js';
export * from './el/index.js';
export * from './errors.js';
export * from './gravitee/index.js';
export * from './ids.js';
export * from './policy/index.js';
export * from './repository/types.js';
export * from './security/api-key-hash.js';
