// The public surface; see index.d.ts for the contract and test/types/conformance.ts for the check.
export { HomeNativeError } from './errors';
export { cloneRepository } from './clone';
export { configHash } from './config-hash';
export { versions } from './versions';
