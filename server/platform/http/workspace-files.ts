import path from 'node:path';

/** Where `npm run build` puts the agent workspace (agent/dist); served by the workspace module's routes. */
export const WORKSPACE_DIST = path.resolve(import.meta.dirname, '..', '..', '..', 'agent', 'dist');
