import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Absolute path of a file under the shared fixtures folder, which sits beside the repository root
 * (`<repo>/../shared/fixtures`).
 *
 * @example fixturePath('gravitee/v4-proxy-export.json')
 */
export function fixturePath(relative: string): string {
  // This file is packages/testkit/src/fixtures.ts (or dist/fixtures.js): four levels below the repository's parent.
  return fileURLToPath(new URL(`../../../../shared/fixtures/${relative}`, import.meta.url));
}

/** Reads a shared fixture as text. */
export function readFixture(relative: string): string {
  return readFileSync(fixturePath(relative), 'utf8');
}

/** Reads a shared JSON fixture. */
export function readJsonFixture<T = unknown>(relative: string): T {
  return JSON.parse(readFixture(relative)) as T;
}
