// The public surface; index.d.ts is the contract and test/types/conformance.ts holds the two together.
export { HomeNativeError } from './errors';
export { configHash } from './config-hash';
export { configure } from './settings';
export { writeHomeFiles } from './write-files';
export { cloneRepository } from './clone';
export { localRunner } from './setup-runner';
export { materializeUserHome } from './materialize';
export { fetchUserEnvironment } from './convex';
export { versions } from './versions';
