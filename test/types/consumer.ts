// How the worker uses the package, written against index.d.ts only.
import {
  HomeNativeError,
  configHash,
  versions,
  type UserEnvironment,
} from '../../index';

const env: UserEnvironment = {
  username: 'alice',
  enabled: true,
  dotfilesRepoUrl: 'https://example.com/alice/dotfiles.git',
  files: [{ path: '.gitconfig', content: '[user]\n', isExecutable: false }],
};

const hash: string = configHash(env);
const libgit2: string = versions().libgit2;
const tls: string = versions().tls;

export function describe(error: unknown): string {
  if (error instanceof HomeNativeError) {
    // @ts-expect-error: codes are a closed union
    const impossible: typeof error.code = 'ERR_NOT_A_CODE';
    return `${error.code} ${error.path ?? ''} ${String(impossible)}`;
  }
  return `${hash} ${libgit2} ${tls}`;
}
