// ESM entry: the same objects as the CommonJS entry, so `import` and `require` share one state.
export { HomeNativeError, configHash, versions, writeHomeFiles } from './index.js';
