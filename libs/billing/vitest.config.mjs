/* eslint-disable @nx/enforce-module-boundaries -- the shared Vitest setup lives at the root, outside any Nx project */
import { nodeProject } from '../../vitest.shared.mjs';
export default nodeProject();
