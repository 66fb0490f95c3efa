import { defineConfig } from "vitest/config";

/**
 * Three test projects:
 * - unit: pure rules beside their code (`src/**\/*.test.ts`), no database;
 * - integration: `src/**\/*.int.test.ts`, run on every available database
 *   (embedded PGlite always; PostgreSQL when TEST_DATABASE_URL is set);
 * - e2e: browser journeys in `test/e2e/`, headless Debian chromium.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["src/**/*.test.ts", "scripts/**/*.test.ts"],
          // Property tests run thousands of cases; on a busy 2-core machine 5 s is not enough.
          testTimeout: 60_000,
          exclude: ["src/**/*.int.test.ts"],
        },
      },
      {
        test: {
          name: "integration",
          include: ["src/**/*.int.test.ts"],
          // CLI tests spawn the CLI several times (each seeds and publishes the definitions);
          // on a busy 2-core machine one can take over a minute. A guard, not a speed check.
          testTimeout: 180_000,
          hookTimeout: 180_000,
          pool: "forks",
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.e2e.test.ts"],
          // A hang guard, not a speed check: a journey through many pages with axe on each
          // exceeded 120 s when the 2-core machine was also running other work.
          testTimeout: 300_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
