// One Vitest setup for every Node project: SWC compiles TypeScript with decorator metadata
// (esbuild drops it, and Nest's DI needs it); workspace libs resolve to their sources.
import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const root = dirname(fileURLToPath(import.meta.url));
const libs = readdirSync(join(root, 'libs'));
// `npm test` collects every runner's counts from here to print one closing line.
const resultsDir = process.env.TEST_RESULTS_DIR;
const reportName = relative(root, process.cwd()).replace(/[\\/]/g, '-') || 'root';

export function nodeProject(overrides = {}) {
  return defineConfig({
    plugins: [
      swc.vite({
        module: { type: 'es6' },
        jsc: {
          target: 'es2022',
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
        },
      }),
    ],
    resolve: {
      // `@apim/<lib>` and its subpath exports (`@apim/contracts/management` → src/management/index.ts).
      alias: libs.flatMap((name) => [
        { find: new RegExp(`^@apim/${name}/(.+)$`), replacement: join(root, 'libs', name, 'src', '$1', 'index.ts') },
        { find: new RegExp(`^@apim/${name}$`), replacement: join(root, 'libs', name, 'src', 'index.ts') },
      ]),
    },
    test: {
      environment: 'node',
      include: ['src/**/*.spec.ts', 'test/**/*.spec.ts'],
      testTimeout: 30_000,
      hookTimeout: 60_000,
      // Two cores: files run in parallel, each with its own database and Redis prefix.
      maxWorkers: 2,
      ...(resultsDir
        ? { reporters: ['default', 'json'], outputFile: { json: join(resultsDir, `vitest-${reportName}.json`) } }
        : {}),
      ...overrides,
    },
  });
}
