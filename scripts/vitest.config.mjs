import { nodeProject } from '../vitest.shared.mjs';

// The start scripts' own tests: they start whole stacks (one file at a time) and read the apps'
// config schemas from their TypeScript sources.
export default nodeProject({
  include: ['test/**/*.spec.mjs'],
  testTimeout: 60_000,
  maxWorkers: 1,
  fileParallelism: false,
});
