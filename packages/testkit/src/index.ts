export * from './conformance/index.js';
export * from './deployed-api.js';
export * from './fixtures.js';
export * from './upstream.js';
