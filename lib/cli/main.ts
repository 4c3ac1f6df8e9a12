#!/usr/bin/env node
// spoon-home: materialize, fetch, hash and inspect persistent homes by hand. This file only
// dispatches; each command lives in its own file.
import type { Command } from './args';
import { fetchCommand } from './fetch';
import { hashCommand } from './hash';
import { materializeCommand } from './materialize';
import { err, out, reportFailure, UsageError } from './output';
import { statusCommand } from './status';
import { printVersions } from './version';

const commands: readonly Command[] = [materializeCommand, fetchCommand, hashCommand, statusCommand];

function usage(): string {
  const lines = ['usage: spoon-home <command> [options]', '       spoon-home --version [--json]', '', 'commands:'];
  for (const command of commands) lines.push(`  ${command.name.padEnd(12)} ${command.summary}`);
  lines.push('', 'every command takes --json (machine-readable output) and --help', '');
  for (const command of commands) lines.push(`  ${command.usage}`);
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  try {
    const [first, ...rest] = argv;
    if (first === undefined) {
      if (!json) err(usage());
      throw new UsageError('a command is required');
    }
    if (first === '--help' || first === '-h' || first === 'help') {
      out(usage());
      return 0;
    }
    if (first === '--version' || first === '-V') {
      const extra = rest.filter((arg) => arg !== '--json');
      if (extra.length > 0) throw new UsageError(`unexpected argument after --version: ${extra[0]}`);
      return printVersions(json);
    }
    const command = commands.find((c) => c.name === first);
    if (!command) {
      if (!json) err(usage());
      throw new UsageError(`unknown command ${JSON.stringify(first)}`);
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      out(`usage: ${command.usage}`);
      return 0;
    }
    try {
      return await command.run(rest);
    } catch (error) {
      if (error instanceof UsageError && !json) err(`usage: ${command.usage}`);
      throw error;
    }
  } catch (error) {
    return reportFailure(error, json);
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
