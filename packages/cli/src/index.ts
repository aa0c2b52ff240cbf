export * from './config.js';
export * from './config-docs.js';
export * from './main.js';
export * from './platform.js';
