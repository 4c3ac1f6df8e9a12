// spoon-home status: a read-only diagnosis of one home: does the marker match an environment,
// what commit is ~/.dotfiles at, and which symlinks lead out of the home.
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import type { UserEnvironment } from '../../index';
import { configHash, HomeNativeError } from '../index';
import { parseCommandArgs, positiveInteger, requireOption, type Command } from './args';
import { dotfilesState, type DotfilesState } from './dotfiles-head';
import { requireEnvironmentFile } from './env-file';
import { scanLinks, type LinkScan } from './link-scan';
import { out, outJson, table } from './output';
import { markerMaxBytes, markerPath } from '../materialize';
import { readInside } from './read-inside';

/** Enough for any real home's dotfiles; a home with more is summarized as capped. */
const defaultMaxEntries = 100_000;

interface MarkerState {
  /** The marker's value, null when there is none or it could not be read. */
  value: string | null;
  problem: string | null;
  /** The environment file's hash, when one was given. */
  expected: string | null;
  matches: boolean | null;
}

async function markerState(home: string, env: UserEnvironment | null): Promise<MarkerState> {
  const read = await readInside(home, markerPath, markerMaxBytes);
  const value = read.kind === 'file' ? read.text.trim() : null;
  const problem = read.kind === 'refused' ? read.reason : null;
  // The library writes the marker only for an environment with a repository.
  const expected = env?.dotfilesRepoUrl ? configHash(env) : null;
  return { value, problem, expected, matches: env ? value === expected : null };
}

function markerLine(marker: MarkerState, envFile: string | undefined): string {
  const shown = marker.value ?? (marker.problem ? `unreadable (${marker.problem})` : 'none');
  if (marker.matches === null) return shown;
  if (marker.matches) return marker.value === null ? `none, as expected for ${envFile} (no repository)` : `${shown}, matches ${envFile}`;
  return `${shown}, differs from ${envFile} (${marker.expected ?? 'no repository: no marker expected'})`;
}

function dotfilesLine(d: DotfilesState): string {
  if (!d.present) return 'none';
  if (d.commit === null) return `unknown: ${d.problem ?? 'no commit'}`;
  return `${d.commit} (${d.ref ?? 'detached HEAD'}${d.shallow ? ', shallow' : ''})`;
}

function printHuman(home: string, containerHome: string, marker: MarkerState, envFile: string | undefined, d: DotfilesState, links: LinkScan): void {
  table([
    ['home', `${home} (as ${containerHome})`],
    ['marker', markerLine(marker, envFile)],
    ['dotfiles', dotfilesLine(d)],
    ['walked', `${links.entries} entries, ${links.symlinks} symlinks${links.capped ? ' (capped: more entries not looked at)' : ''}`],
    ['outside links', links.outside.length === 0 ? 'none' : String(links.outside.length)],
  ]);
  for (const link of links.outside) out(`  ${link.path} -> ${link.target}  (${link.reason})`);
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'diagnose a home: marker vs environment, dotfiles commit, symlinks leading out',
  usage: 'spoon-home status --home DIR [--env FILE.json] [--container-home /home/NAME] [--max-entries N] [--json]',
  async run(argv) {
    const args = parseCommandArgs(argv, {
      home: { type: 'string' },
      env: { type: 'string' },
      'container-home': { type: 'string' },
      'max-entries': { type: 'string' },
    });
    const home = path.resolve(requireOption(args.home, '--home'));
    const maxEntries = positiveInteger(args['max-entries'], '--max-entries') ?? defaultMaxEntries;
    const env = args.env === undefined ? null : await requireEnvironmentFile(args.env);
    // The seed mounts homes/{username} at /home/{username}.
    const containerHome = args['container-home'] ?? `/home/${env?.username ?? path.basename(home)}`;

    // The home's own path is the operator's (--home), trusted as HomeRoot trusts it: one lstat of
    // it, for a clear message; everything below it is read through the addon, never by path.
    const stats = await lstat(home).catch(() => null);
    if (!stats?.isDirectory()) {
      const what = stats === null ? 'does not exist' : stats.isSymbolicLink() ? 'is a symlink' : 'is not a directory';
      throw new HomeNativeError('ERR_HOME_INVALID', `${home} ${what}`, { path: home });
    }
    const marker = await markerState(home, env);
    const dotfiles = await dotfilesState(home);
    const links = await scanLinks(home, containerHome, maxEntries);
    if (args.json) outJson({ home, containerHome, marker, dotfiles, links });
    else printHuman(home, containerHome, marker, args.env, dotfiles, links);
    return 0;
  },
};
