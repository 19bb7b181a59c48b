import { fileURLToPath } from 'node:url';
import { nodeProject } from '../../vitest.shared.mjs';

// Unit tests of the portal's pure helpers (money sums, formatting, time windows).
const config = nodeProject({ include: ['src/**/*.spec.ts'] });
config.resolve.alias.push({ find: /^@\//, replacement: fileURLToPath(new URL('./src/', import.meta.url)) });
export default config;
