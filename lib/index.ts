// The public surface; see index.d.ts for the contract and test/types/conformance.ts for the check.
export { HomeNativeError } from './errors';
export { configHash } from './config-hash';
export { versions } from './versions';
export { writeHomeFiles } from './write-files';
