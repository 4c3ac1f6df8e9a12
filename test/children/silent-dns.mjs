// Run inside a private mount namespace whose /etc/resolv.conf names 127.0.0.1 (the test bind-mounts
// it): listens on 127.0.0.1:53 and never answers, then clones a name that only DNS could resolve,
// with the default (system) resolver, one clone thread, and a deadline. Prints one JSON line:
// { code, settledMs, followUp } where followUp is the code or commit of a clone that must run on
// the same thread afterwards.
import dgram from 'node:dgram';
import { once } from 'node:events';
import { cloneRepository, configure } from '@spoon/home-native';

const [homeDir, followUrl, timeoutMs] = process.argv.slice(2);
const silent = dgram.createSocket('udp4');
let queries = 0;
silent.on('message', () => queries++);
silent.bind(53, '127.0.0.1');
await once(silent, 'listening');
configure({ clone: { concurrency: 1 } });
const started = Date.now();
const code = await cloneRepository({ url: 'https://dotfiles.never-answers.example/x.git', homeDir, timeoutMs: Number(timeoutMs) }).then(
  () => 'cloned',
  (error) => error.code,
);
const settledMs = Date.now() - started;
const followUp = await cloneRepository({ url: followUrl, homeDir, into: 'second', allowedProtocols: ['file'] }).then(
  (report) => report.commit,
  (error) => error.code,
);
process.stdout.write(`${JSON.stringify({ code, settledMs, followUp, queries })}\n`);
silent.close();
