// One materialization, in a child process that the crash-safety test kills with SIGKILL at a
// random moment. argv: homeDir url ref files.json. Prints "phase <name>" as each phase starts
// (so that the parent can aim its kill inside the clone, the setup or the overlay batch) and
// "done <json report>" at the end.
import { readFileSync } from 'node:fs';
import { configure, localRunner, materializeUserHome } from '@spoon/home-native';

const [homeDir, url, ref, filesJson] = process.argv.slice(2);
const files = JSON.parse(readFileSync(filesJson, 'utf8'));
configure({ clone: { allowedProtocols: ['http'], allowedNetworks: ['127.0.0.0/8', '::1/128'] }, runInJobContainer: localRunner });
const report = await materializeUserHome({
  homeDir,
  containerHome: '/home/alice',
  redact: (text) => text,
  userEnv: { username: 'alice', enabled: true, dotfilesRepoUrl: url, dotfilesRepoRef: ref, setupCommand: 'install.sh', files },
  onProgress: (p) => {
    if (p.phase !== 'clone' || !p.clone) process.stdout.write(`phase ${p.phase}\n`);
  },
});
process.stdout.write(`done ${JSON.stringify(report)}\n`);
