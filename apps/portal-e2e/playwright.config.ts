import { defineConfig, devices } from '@playwright/test';

const PORTAL_URL = process.env.PORTAL_URL ?? 'http://127.0.0.1:4000';

/**
 * Runs against the real stack (fresh database, management API, gateway, worker, built portal,
 * demo seed) started by scripts/e2e-stack.mjs. Debian's Chromium: Playwright's own browser
 * download is not available here.
 */
export default defineConfig({
  testDir: './src',
  testMatch: /.*\.e2e\.ts$/,
  outputDir: './test-results',
  timeout: 90_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  // `npm test` (scripts/test.mjs) sums every runner's JSON report from TEST_RESULTS_DIR.
  reporter: process.env.TEST_RESULTS_DIR
    ? [['list'], ['json', { outputFile: `${process.env.TEST_RESULTS_DIR}/playwright-portal-e2e.json` }]]
    : [['list']],
  use: {
    baseURL: PORTAL_URL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
          args: [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
      },
    },
  ],
  webServer: {
    command: 'node ../../scripts/e2e-stack.mjs',
    cwd: __dirname,
    url: `${PORTAL_URL}/healthz`,
    timeout: 180_000,
    reuseExistingServer: !process.env.CI,
    stdout: 'pipe',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
  },
});
