// Reads an environment file (JSON, the backend's shape) and validates it with the same schema as
// fetchUserEnvironment. `-` reads standard input.
import { readFile } from 'node:fs/promises';
import type { UserEnvironment } from '../../index';
import { parseUserEnvironment } from '../environment-schema';
import { HomeNativeError } from '../errors';

/** The schema caps the whole environment near 16 MiB; a file much larger is not one. */
const maxFileBytes = 64 * 1024 * 1024;

async function readText(file: string): Promise<string> {
  try {
    // By path on purpose: the operator's own file (--env), never one below a home; the home
    // readers go through the addon (read-inside.ts).
    const bytes = file === '-' ? await readStdin() : await readFile(file);
    if (bytes.length > maxFileBytes) throw new HomeNativeError('ERR_BAD_ENVIRONMENT', `${file} is larger than ${maxFileBytes} bytes`);
    return bytes.toString('utf8');
  } catch (error) {
    if (error instanceof HomeNativeError) throw error;
    const { code, message } = error as NodeJS.ErrnoException;
    throw new HomeNativeError('ERR_BAD_ENVIRONMENT', `cannot read the environment file: ${message}`, {
      path: file,
      ...(code !== undefined && { osCode: code }),
    });
  }
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of process.stdin) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    chunks.push(buffer);
    total += buffer.length;
    // Enough read to know it is too large: readText refuses it (stopping short would hand the
    // parser a truncated file, reported as not JSON).
    if (total > maxFileBytes) break;
  }
  return Buffer.concat(chunks);
}

/** The validated environment in `file`; null when the file holds `null`. */
export async function readEnvironmentFile(file: string): Promise<UserEnvironment | null> {
  const text = await readText(file);
  const source = file === '-' ? 'standard input' : file;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HomeNativeError('ERR_BAD_ENVIRONMENT', `${source} is not JSON: ${(error as Error).message}`, { path: file });
  }
  return parseUserEnvironment(value, source);
}

/** As readEnvironmentFile, for commands that need an environment, not `null`. */
export async function requireEnvironmentFile(file: string): Promise<UserEnvironment> {
  const env = await readEnvironmentFile(file);
  if (env === null) throw new HomeNativeError('ERR_BAD_ENVIRONMENT', `${file} holds null: there is no environment to use`, { path: file });
  return env;
}
