// A smart-HTTP git server (servers.mjs) in a process of its own, so that its work does not count
// against the event loop of the process under test. argv: root. Prints the port; runs until killed.
import { startHttpGitServer } from '../helpers/servers.mjs';

const server = await startHttpGitServer(process.argv[2]);
process.stdout.write(`${server.port}\n`);
