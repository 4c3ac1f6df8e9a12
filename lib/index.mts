// ESM entry: re-exports the CommonJS build, so `import` and `require` share one module state
// (one set of settings, one Convex client, one addon instance).
export {
  HomeNativeError,
  cloneRepository,
  configHash,
  configure,
  fetchUserEnvironment,
  localRunner,
  materializeUserHome,
  versions,
  writeHomeFiles,
} from './index.js';
