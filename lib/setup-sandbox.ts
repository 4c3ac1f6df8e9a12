// The local runner's sandbox: a private mount namespace in which the setup script sees the host
// read-only, its home read-write at containerHome, and runs as the home's user, as it would in the
// job container. Decides whether the sandbox is available and builds its command line; running it
// is setup-runner.ts's.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** nobody:nogroup on Debian and most distributions: the user a script runs as when no other fits. */
export const nobodyId = 65534;

/**
 * The private /tmp's size. A dotfiles setup unpacks a plugin or two there; the tmpfs is memory,
 * so a bound keeps a hostile script from filling the worker's RAM through it.
 */
const tmpSizeBytes = 256 * 1024 * 1024;

/** The device nodes a shell script expects; the host's others (disks, /dev/kvm, /dev/fuse) stay out. */
const devices = ['null', 'zero', 'full', 'random', 'urandom', 'tty'] as const;

/**
 * Runs as pid 1 of a new pid namespace inside `unshare --mount --propagation private` (so nothing
 * mounted here reaches the host), as root, with its arguments as positional parameters (never
 * spliced into the text):  root hostHome containerHome uid gid program args...
 * `root` is an empty directory of root's (setup-runner.ts, sandboxRoot). Every step that fails
 * stops the script (set -e) before the user's program starts: a sandbox that cannot be built
 * never runs it.
 *
 * - `mount --rbind / root`; the copy's /proc (the host's, with what the host mounted below it,
 *   such as binfmt_misc, which cannot be remounted through the copy's path) is replaced by a
 *   read-only proc of this pid namespace, which shows the sandbox's own processes only. Then
 *   each mount at or below `root` is remounted read-only one by one:
 *   util-linux 2.38 (Debian 12) has no recursive read-only ("It's impossible to change mount
 *   options recursively (for example with -o rbind,ro)", mount(8)); mount_setattr(2) would, but no
 *   tool on the host calls it. Mount points in mountinfo escape blanks and backslashes as \ooo,
 *   which printf %b decodes. This runs before anything is mounted over the copy, so every mount
 *   listed is reachable. A mount that refuses to turn read-only (binfmt_misc, autofs points the
 *   host's init mounts under /proc and elsewhere) is detached from the copy instead (umount -l,
 *   its submounts with it: those then are no mount points any more, and pass); one that can be
 *   neither stops the run (fail closed).
 * - A fresh /dev (tmpfs, read-only) with only the usual character devices bound in, a private
 *   /tmp (tmpfs, size-bounded), an empty read-only tmpfs over the directory that holds the home
 *   on the host (the other users' homes and the staging area beside it are readable to a uid
 *   that owns every home, and the job container does not see them either; `/` itself cannot be
 *   covered, so a home right below it leaves its siblings in view), and the home's host path
 *   bound read-write at containerHome. When containerHome is missing on the host, a read-only
 *   tmpfs on its deepest existing ancestor holds the mount point (for /home/alice: /home, which
 *   hides the host's /home, as the job image does); nothing is ever created in the host's own
 *   tree. When even containerHome's top directory is missing, the tmpfs would have to cover `/`
 *   itself, so that containerHome is refused.
 * - The program runs chrooted into `root`, as uid:gid with no supplementary groups, no
 *   capabilities and no_new_privs (setpriv), in containerHome. This shell waits for it instead of
 *   exec'ing: it keeps unshare's --kill-child death signal, which a change of uid would clear, so
 *   killing unshare kills this pid 1 and the kernel then kills every process of the namespace.
 * - The worker dying mid-setup (SIGKILL, no chance to kill anything) ends the run too: stdin is a
 *   pipe from the worker that it never writes, and a watcher here, as root, kills every process
 *   of the namespace (kill -1, which spares only itself and pid 1, and pid 1 then exits) when the
 *   pipe reaches end of file. The program gets /dev/null as stdin and never sees the pipe. The
 *   guard on the first line makes sure `kill -1` can only ever mean this namespace.
 *
 * Not isolated: the network (the script reaches what the worker host reaches), abstract unix
 * sockets, the host's unix sockets that any user may connect to (a read-only mount does not stop
 * connect(2); /run stays, since /etc/resolv.conf often lives there), and CPU and memory beyond
 * the runner's timeout. A root script could undo all of the
 * above (remount, leave the chroot), which is why setup-runner.ts never runs one as uid 0.
 */
const namespaceScript = `set -eu
[ $$ -eq 1 ] || { echo "localRunner: the sandbox script must be pid 1 of a new pid namespace" >&2; exit 125; }
root=$1 host_home=$2 home=$3 uid=$4 gid=$5
shift 5
mount --rbind / "$root"
while mountpoint -q "$root/proc"; do umount -l "$root/proc"; done
mount -t proc -o ro,nosuid,nodev,noexec proc "$root/proc"
while read -r _ _ _ _ point _; do
  point=$(printf '%b' "$point")
  case $point in
  "$root" | "$root"/*)
    mount -o remount,bind,ro "$point" 2>/dev/null || umount -l "$point" 2>/dev/null || ! mountpoint -q "$point" ||
      { echo "localRunner: cannot make $point read-only or hide it" >&2; exit 125; } ;;
  esac
done < /proc/self/mountinfo
mount -t tmpfs -o mode=0755,nosuid tmpfs "$root/dev"
for node in ${devices.join(' ')}; do
  : > "$root/dev/$node"
  mount --bind "/dev/$node" "$root/dev/$node"
done
ln -s /proc/self/fd "$root/dev/fd"
ln -s /proc/self/fd/0 "$root/dev/stdin"
ln -s /proc/self/fd/1 "$root/dev/stdout"
ln -s /proc/self/fd/2 "$root/dev/stderr"
mount -o remount,bind,ro "$root/dev"
mount -t tmpfs -o mode=1777,nosuid,nodev,size=${tmpSizeBytes} tmpfs "$root/tmp"
host_parent=\${host_home%/*}
if [ -n "$host_parent" ] && [ -d "$root$host_parent" ]; then
  mount -t tmpfs -o ro,mode=0755,nosuid,nodev tmpfs "$root$host_parent"
fi
above=$home
while [ ! -d "$root$above" ]; do above=\${above%/*}; done
if [ "$above" != "$home" ]; then
  if [ -z "$above" ]; then
    first=\${home#/}
    echo "localRunner: cannot mount the home at $home: /\${first%%/*} does not exist on this host" >&2
    exit 125
  fi
  mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs "$root$above"
  mkdir -p "$root$home"
  mount -o remount,bind,ro "$root$above"
fi
mount --bind "$host_home" "$root$home"
set +e
exec 3<&0
{ read -r _ <&3; kill -9 -1; } &
chroot "$root" setpriv --reuid="$uid" --regid="$gid" --clear-groups --inh-caps=-all --bounding-set=-all --no-new-privs \\
  -- /bin/sh -c 'cd -- "$1" && shift && exec "$@"' spoon-setup "$home" "$@" </dev/null 3<&-
`;

/** The tools the sandbox calls, all util-linux or coreutils. */
const tools = ['unshare', 'mount', 'umount', 'mountpoint', 'chroot', 'setpriv'] as const;

/**
 * The unshare flags. --fork: the new pid namespace's first process must be a child; --pid
 * --mount-proc: the script's children live in that namespace and die with it, and /proc shows only
 * them; --kill-child: unshare's death (a timeout's SIGKILL) takes the namespace along.
 */
const unshareFlags = ['--mount', '--propagation', 'private', '--fork', '--pid', '--mount-proc', '--kill-child'] as const;

/** The command line for one run, `program` and `argv` the setup command's. */
export function sandboxCommand(
  root: string,
  hostHome: string,
  containerHome: string,
  uid: number,
  gid: number,
  command: readonly string[],
): string[] {
  return [
    'unshare', ...unshareFlags, '--', '/bin/sh', '-c', namespaceScript, 'spoon-setup',
    root, hostHome, containerHome, String(uid), String(gid), ...command,
  ];
}

function onPath(name: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    try {
      accessSync(path.join(dir, name), constants.X_OK);
      return true;
    } catch {
      // Not in this directory.
    }
  }
  return false;
}

/** Set to `0` to run setup without the sandbox (the warning still says so); any other value is ignored. */
export const sandboxVariable = 'SPOON_LOCAL_RUNNER_SANDBOX';

/** Why the sandbox cannot be used, or undefined when it can: root, the tools, and a namespace that mounts. */
async function probe(): Promise<string | undefined> {
  if (process.env[sandboxVariable] === '0') return `${sandboxVariable}=0`;
  if (process.getuid?.() !== 0) return 'not running as root';
  const missing = tools.filter((tool) => !onPath(tool));
  if (missing.length > 0) return `${missing.join(', ')} not on PATH`;
  // Mounting a tmpfs is the first thing a sandbox run needs that a container without
  // CAP_SYS_ADMIN (or with a seccomp profile against unshare) refuses.
  return new Promise((resolve) => {
    const child = spawn('unshare', [...unshareFlags, '--', 'mount', '-t', 'tmpfs', 'tmpfs', '/tmp'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(0, 512);
    });
    child.on('error', (error) => resolve(`unshare failed: ${error.message}`));
    child.on('close', (code) => {
      const firstLine = stderr.trim().split('\n')[0];
      resolve(code === 0 ? undefined : `a private mount namespace is not available here (${firstLine || `exit ${code}`})`);
    });
  });
}

let answer: Promise<string | undefined> | undefined;
let warned = false;

/** Whether setup runs sandboxed; asked once per process. Without it, says so once on stderr. */
export async function sandboxAvailable(): Promise<boolean> {
  answer ??= probe();
  const why = await answer;
  if (why === undefined) return true;
  if (!warned) {
    warned = true;
    process.stderr.write(
      `home-native: warning: localRunner runs setup scripts on this host without a sandbox, as ${process.getuid?.() === 0 ? 'root' : 'this user'}: ${why}\n`,
    );
  }
  return false;
}
