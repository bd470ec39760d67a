// Shared vitest settings: tests run against sources through the `@k/source`
// export condition, so no package has to be built before its tests run.
import { defineConfig } from 'vitest/config';

const conditions = ['@k/source', 'module', 'node', 'import', 'default'];

export function defineKTest(extra: { testTimeout?: number; include?: string[] } = {}) {
  return defineConfig({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ['@k/source'] } },
    test: {
      include: extra.include ?? ['test/**/*.test.ts'],
      testTimeout: extra.testTimeout ?? 30_000,
      reporters: ['default', 'json'],
      outputFile: { json: 'test-results/vitest.json' },
      pool: 'forks',
      passWithNoTests: true,
    },
  });
}
