// spoon-home materialize: one home from an environment file, through the public
// materializeUserHome, with progress on stderr and a summary on stdout.
import path from 'node:path';
import type { CloneProtocol, HomeNativeSettings, MaterializeReport } from '../../index';
import { configure, localRunner, materializeUserHome } from '../index';
import { allowedNetworksProblem, cloneProtocolNamed, cloneProtocols } from '../validate';
import { parseCommandArgs, requireOption, type Command } from './args';
import { requireEnvironmentFile } from './env-file';
import { formatBytes, formatMs, outJson, redactUrls, table, UsageError } from './output';
import { progressDisplay } from './progress';


function allowedProtocols(values: string[] | undefined): CloneProtocol[] | undefined {
  if (values === undefined) return undefined;
  return values.map((value) => {
    const protocol = cloneProtocolNamed(value);
    if (!protocol) throw new UsageError(`--allow-protocol must be one of ${cloneProtocols.join(', ')}, got ${value}`);
    return protocol;
  });
}

// A network the clone may reach beyond public addresses (an internal git server's, or loopback
// for a local test server): a typo is a usage error, not a clone that fails later.
function allowedNetworks(values: string[]): string[] {
  const problem = allowedNetworksProblem(values);
  if (problem !== undefined) throw new UsageError(`--allow-network: ${problem}`);
  return values;
}

function repositoryLine(report: MaterializeReport): string {
  if (report.repository !== 'cloned' || !report.clone) {
    return report.repository === 'unchanged' ? 'unchanged (config hash matches the marker)' : report.enabled ? 'none' : 'none (disabled)';
  }
  const c = report.clone;
  return `cloned ${c.commit} (${c.ref}, ${c.objects} objects, ${formatBytes(c.receivedBytes)}, ${c.files} files${c.shallow ? ', shallow' : ''})`;
}

function setupLine(report: MaterializeReport): string {
  if (report.setup) return report.setup.command;
  const l = report.links;
  if (!l) return 'not run';
  return `dotfiles linked: ${l.linked.length} linked, ${l.unchanged.length} unchanged, ${l.inTheWay.length} in the way, ${l.removed.length} removed`;
}

function printSummary(home: string, containerHome: string, report: MaterializeReport): void {
  const d = report.durationsMs;
  table([
    ['home', `${home} (as ${containerHome})`],
    ['profile', report.profile],
    ['enabled', String(report.enabled)],
    ['config hash', report.configHash ?? '(no repository)'],
    ['repository', repositoryLine(report)],
    ['setup', setupLine(report)],
    ['files', `${report.files.written} written, ${report.files.unchanged} unchanged`],
    [
      'time',
      `lock ${formatMs(d.lock)}, profile ${formatMs(d.profile)}, clone ${formatMs(d.clone)}, ` +
        `setup ${formatMs(d.setup)}, overlay ${formatMs(d.overlay)}, total ${formatMs(d.total)}`,
    ],
  ]);
}

export const materializeCommand: Command = {
  name: 'materialize',
  summary: 'materialize one home from an environment file',
  usage:
    'spoon-home materialize --home DIR --container-home /home/NAME --env FILE.json\n' +
    '    [--local-setup] [--allow-protocol P]... [--allow-network CIDR]... [--staging DIR] [--ca-file F] [--json]',
  async run(argv) {
    const args = parseCommandArgs(argv, {
      home: { type: 'string' },
      'container-home': { type: 'string' },
      env: { type: 'string' },
      'local-setup': { type: 'boolean' },
      'allow-protocol': { type: 'string', multiple: true },
      'allow-network': { type: 'string', multiple: true },
      staging: { type: 'string' },
      'ca-file': { type: 'string' },
    });
    const home = path.resolve(requireOption(args.home, '--home'));
    const containerHome = requireOption(args['container-home'], '--container-home');
    if (!path.posix.isAbsolute(containerHome)) throw new UsageError('--container-home must be an absolute path, e.g. /home/alice');
    const userEnv = await requireEnvironmentFile(requireOption(args.env, '--env'));

    const protocolsAllowed = allowedProtocols(args['allow-protocol']);
    const settings: HomeNativeSettings = {
      ...(args['local-setup'] && { runInJobContainer: localRunner }),
      ...(args.staging !== undefined && { stagingDir: path.resolve(args.staging) }),
      clone: {
        ...(protocolsAllowed !== undefined && { allowedProtocols: protocolsAllowed }),
        ...(args['allow-network'] !== undefined && { allowedNetworks: allowedNetworks(args['allow-network']) }),
        ...(args['ca-file'] !== undefined && { caFile: path.resolve(args['ca-file']) }),
      },
    };
    configure(settings);

    // --json output is for programs: no progress chatter, only the result document.
    const progress = progressDisplay(process.stderr, !args.json);
    // Ctrl-C cancels the clone or setup cleanly (the library removes its staging tree).
    const abort = new AbortController();
    const onSignal = () => abort.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    let report: MaterializeReport;
    try {
      report = await materializeUserHome({
        homeDir: home,
        containerHome,
        userEnv,
        redact: redactUrls,
        signal: abort.signal,
        onProgress: (p) => progress.update(p),
      });
    } finally {
      progress.end();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    if (args.json) outJson({ home, containerHome, report });
    else printSummary(home, containerHome, report);
    return 0;
  },
};
