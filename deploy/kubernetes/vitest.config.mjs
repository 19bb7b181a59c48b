import { nodeProject } from '../../vitest.shared.mjs';
export default nodeProject({ include: ['test/**/*.spec.ts'] });
