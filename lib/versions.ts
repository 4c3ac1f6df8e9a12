import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Versions } from '../index';
import { native } from './native';

const packageVersion = (): string => {
  // The package's own package.json, not a path below any home.
  const text = readFileSync(path.resolve(__dirname, '..', 'package.json'), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
};

/** The package, its native dependencies and the runtime, as loaded in this process. */
export function versions(): Versions {
  const nativeVersions = native().versions();
  return { package: packageVersion(), ...nativeVersions, node: process.versions.node };
}
