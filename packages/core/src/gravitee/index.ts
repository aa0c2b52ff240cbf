export * from './export-definition.js';
export * from './import-definition.js';
export * from './parse.js';
