// The shared Vitest setup lives at the root, outside any Nx project.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { nodeProject } from '../../vitest.shared.mjs';
export default nodeProject();
