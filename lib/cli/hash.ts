// spoon-home hash: the config hash of an environment file, the value ~/.spoon/env-hash holds
// after a materialization of it.
import { configHash } from '../index';
import { parseCommandArgs, requireOption, type Command } from './args';
import { requireEnvironmentFile } from './env-file';
import { out, outJson } from './output';

export const hashCommand: Command = {
  name: 'hash',
  summary: 'print the config hash of an environment file',
  usage: 'spoon-home hash --env FILE.json [--json]',
  async run(argv) {
    const args = parseCommandArgs(argv, { env: { type: 'string' } });
    const env = await requireEnvironmentFile(requireOption(args.env, '--env'));
    const hash = configHash(env);
    if (args.json) outJson({ configHash: hash, hasRepository: Boolean(env.dotfilesRepoUrl) });
    else out(hash);
    return 0;
  },
};
