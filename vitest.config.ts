import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const pkg = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources of the workspace packages, not their build output.
    alias: {
      '@apim/core': pkg('core'),
      '@apim/ratelimit': pkg('ratelimit'),
      '@apim/policies': pkg('policies'),
      '@apim/repository-sql': pkg('repository-sql'),
      '@apim/testkit': pkg('testkit'),
      '@apim/gateway': pkg('gateway'),
      '@apim/management-api': pkg('management-api'),
      '@apim/cli': pkg('cli'),
    },
  },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'bench/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'e2e/**/*.test.ts',
    ],
    globalSetup: ['./test-setup/backends.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
