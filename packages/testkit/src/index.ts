export * from './conformance/index.js';
export * from './fixtures.js';
export * from './upstream.js';
