// spoon-home fetch: the validated environment of a job, from the Convex backend configured by
// CONVEX_URL and WORKER_TOKEN (the token never goes on a command line, where ps would show it).
import type { UserEnvironment } from '../../index';
import { configure, fetchUserEnvironment } from '../index';
import { parseCommandArgs, positiveInteger, requireOption, type Command } from './args';
import { formatBytes, out, outJson, table } from './output';

type ShownFile = { path: string; isExecutable: boolean; bytes: number; content?: string };

function shownFiles(env: UserEnvironment, showContent: boolean): ShownFile[] {
  return env.files.map((file) => ({
    path: file.path,
    isExecutable: file.isExecutable,
    bytes: Buffer.byteLength(file.content, 'utf8'),
    ...(showContent && { content: file.content }),
  }));
}

function printHuman(jobId: string, env: UserEnvironment | null, files: ShownFile[]): void {
  if (env === null) {
    out(`no environment for job ${jobId}`);
    return;
  }
  table([
    ['username', env.username],
    ['enabled', String(env.enabled)],
    ['dotfilesRepoUrl', env.dotfilesRepoUrl ?? '(none)'],
    ['dotfilesRepoRef', env.dotfilesRepoRef ?? '(default branch)'],
    ['setupCommand', env.setupCommand ?? '(none)'],
    ['files', String(files.length)],
  ]);
  const width = Math.max(0, ...files.map((f) => f.path.length));
  for (const file of files) {
    out(`  ${file.path.padEnd(width)}  ${file.isExecutable ? '0755' : '0644'}  <${file.bytes} bytes>`);
    if (file.content !== undefined) {
      for (const line of file.content.replace(/\n$/, '').split('\n')) out(`      | ${line}`);
    }
  }
  const total = files.reduce((sum, f) => sum + f.bytes, 0);
  if (files.length > 0) out(`  (${formatBytes(total)} in all)`);
}

export const fetchCommand: Command = {
  name: 'fetch',
  summary: "print a job's environment from the Convex backend (CONVEX_URL, WORKER_TOKEN)",
  usage: 'spoon-home fetch --job ID [--show-content] [--convex-url URL] [--timeout-ms N] [--json]',
  async run(argv) {
    const args = parseCommandArgs(argv, {
      job: { type: 'string' },
      'show-content': { type: 'boolean' },
      'convex-url': { type: 'string' },
      'timeout-ms': { type: 'string' },
    });
    const jobId = requireOption(args.job, '--job');
    if (args['convex-url'] !== undefined) configure({ convexUrl: args['convex-url'] });
    const timeoutMs = positiveInteger(args['timeout-ms'], '--timeout-ms');
    if (timeoutMs !== undefined) configure({ backendTimeoutMs: timeoutMs });
    const env = await fetchUserEnvironment(jobId);
    const files = env ? shownFiles(env, args['show-content'] === true) : [];
    if (args.json) outJson(env === null ? null : { ...env, files });
    else printHuman(jobId, env, files);
    return 0;
  },
};
