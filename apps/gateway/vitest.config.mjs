import { nodeProject } from '../../vitest.shared.mjs';
// Gateway e2e specs are named by the status they prove (`401.e2e-spec.ts`).
export default nodeProject({ include: ['src/**/*.spec.ts', 'test/**/*.spec.ts', 'test/**/*.e2e-spec.ts'] });
