// How the worker uses the package, written against index.d.ts only: it must type-check as the
// worker's code would, and misuse must not.
import dns from 'node:dns';
import {
  HomeNativeError,
  cloneRepository,
  configHash,
  configure,
  fetchUserEnvironment,
  localRunner,
  materializeUserHome,
  versions,
  writeHomeFiles,
  type CloneReport,
  type MaterializeReport,
  type RunInJobContainer,
  type UserEnvironment,
} from '../../index';

// The seed's Id<'agentJobs'> is a branded string; it must be accepted as it is.
type Id<T extends string> = string & { __tableName: T };

const runInJobContainer: RunInJobContainer = async (options) => {
  const [shell, flag, script] = options.command;
  return `${shell} ${flag} ${script} in ${options.containerCwd} as ${options.environment.HOME}`;
};

export async function startJob(jobId: Id<'agentJobs'>, workdir: string, redact: (value: string) => string): Promise<void> {
  configure({ convexUrl: 'https://example.convex.cloud', workerToken: 't', jobTimeoutMs: 60_000, runInJobContainer });
  configure({ clone: { allowedProtocols: ['https', 'http'], concurrency: 2 }, detectSetupScript: true });
  // An internal git server's network, and the worker's own resolver (dns.lookup's signature).
  configure({ clone: { allowedNetworks: ['10.20.0.0/16', 'fd00::/8'], lookup: dns.lookup } });
  configure({ clone: { credentials: async ({ host, attempt }) => (host === 'github.com' && attempt === 1 ? { username: 'x-access-token', password: 'token' } : null) } });
  // The clone budget, for a worker with bigger repositories and more memory.
  configure({ clone: { maxFiles: 200_000, maxCheckoutBytes: 2 ** 31, maxFileBytes: 2 ** 27, maxMemoryBytes: 2 ** 29 } });
  const userEnv: UserEnvironment | null = await fetchUserEnvironment(jobId);
  if (!userEnv) return;
  // The seed's call, unchanged: the report may be ignored.
  await materializeUserHome({ homeDir: `${workdir}/homes/${userEnv.username}`, containerHome: `/home/${userEnv.username}`, userEnv, redact });
  const report: MaterializeReport = await materializeUserHome({
    homeDir: `${workdir}/homes/${userEnv.username}`,
    containerHome: `/home/${userEnv.username}`,
    userEnv,
    redact,
    signal: AbortSignal.timeout(1000),
    onProgress: (progress) => progress.clone?.receivedBytes,
  });
  const cloned: string | undefined = report.clone?.commit;
  void cloned;
  // The fallback install's report: null unless linkDotfiles linked something this run.
  configure({ linkDotfiles: true });
  const inTheWay: string[] | undefined = report.links?.inTheWay;
  void inTheWay;
  configure({ runInJobContainer: localRunner });
}

export async function tools(): Promise<string> {
  const clone: CloneReport = await cloneRepository({ url: 'https://example.com/d.git', homeDir: '/homes/a', ref: 'main', depth: 1, maxFiles: 10_000 });
  const written = await writeHomeFiles('/homes/a', [{ path: 'a', content: new Uint8Array([1]), isExecutable: false }]);
  const hash: string = configHash({ dotfilesRepoUrl: clone.commit });
  // @ts-expect-error: a lookup has dns.lookup's signature, not a string
  configure({ clone: { lookup: '8.8.8.8' } });
  // @ts-expect-error: linkDotfiles is a boolean
  configure({ linkDotfiles: 'yes' });
  // @ts-expect-error: an unknown protocol is not a CloneProtocol
  configure({ clone: { allowedProtocols: ['ftp'] } });
  return `${hash} ${written.written} ${versions().libgit2} ${versions().tls}`;
}

export function describe(error: unknown): string {
  if (error instanceof HomeNativeError && error.code === 'ERR_CLONE_UNSAFE_PATH') return `refused ${error.path ?? ''}`;
  if (error instanceof HomeNativeError && error.code === 'ERR_DESTINATION_NOT_ALLOWED') return `not allowed: ${error.url ?? ''}`;
  if (error instanceof HomeNativeError) {
    // @ts-expect-error: codes are a closed union
    const impossible: typeof error.code = 'ERR_NOT_A_CODE';
    return `${error.code} ${error.path ?? ''} ${error.failures?.length ?? 0} ${String(impossible)}`;
  }
  return 'not ours';
}
