import type { UserEnvironment } from '../index';
import { HomeNativeError } from './errors';
import { native } from './native';

type HashInput = Pick<UserEnvironment, 'dotfilesRepoUrl' | 'dotfilesRepoRef' | 'setupCommand'>;

const optionalString = (value: unknown, field: string): value is string | undefined => {
  if (value === undefined || typeof value === 'string') return true;
  throw new HomeNativeError('ERR_INVALID_ARG_TYPE', `configHash: ${field} must be a string or undefined`);
};

/** `sha256(JSON.stringify({ repo, ref: ref ?? '', setup: setup ?? '' }))`, hex: the seed's marker value. */
export function configHash(userEnv: HashInput): string {
  if (typeof userEnv !== 'object' || userEnv === null) {
    throw new HomeNativeError('ERR_INVALID_ARG_TYPE', 'configHash: expected an environment object');
  }
  const { dotfilesRepoUrl, dotfilesRepoRef, setupCommand } = userEnv;
  optionalString(dotfilesRepoUrl, 'dotfilesRepoUrl');
  optionalString(dotfilesRepoRef, 'dotfilesRepoRef');
  optionalString(setupCommand, 'setupCommand');
  return native().configHash(dotfilesRepoUrl, dotfilesRepoRef ?? '', setupCommand ?? '');
}
