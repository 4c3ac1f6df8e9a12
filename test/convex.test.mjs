// fetchUserEnvironment with the real ConvexHttpClient against a loopback server speaking Convex's
// wire protocol: answers, validation, backend failures, timeouts, and the worker token never
// leaking into an error.
import { test, beforeEach, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { configure, fetchUserEnvironment, HomeNativeError } from '@spoon/home-native';
import { answers, startConvexServer } from './helpers/convex-server.mjs';
import { runNode } from './helpers/child.mjs';
import { sampleEnvironment } from './helpers/sample-environment.mjs';

const require = createRequire(import.meta.url);
// Internal test hooks, from the same build the package name resolves to (one module state).
const { resetSettingsForTests } = require('../dist/settings.js');
const { convexClientsCreated } = require('../dist/convex.js');

// Special characters on purpose: JSON-escaped and URL-encoded spellings differ from the raw one.
const TOKEN = 'wt_s3cret"tok/en+&=Zq9 \\x';
const goodEnv = sampleEnvironment();

let server;
before(async () => {
  server = await startConvexServer();
});
after(() => server.close());
beforeEach(() => {
  resetSettingsForTests();
  delete process.env.CONVEX_URL;
  delete process.env.WORKER_TOKEN;
  server.requests.length = 0;
  configure({ convexUrl: server.url, workerToken: TOKEN, backendTimeoutMs: 5000 });
});

const rejectsWith = async (promise, code) => {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof HomeNativeError, `expected a HomeNativeError, got ${inspect(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected a rejection with ${code}`);
};

/** Every place an error could carry the token: message, stack, cause chain, JSON, inspect. */
function assertNoToken(error) {
  const spellings = [TOKEN, JSON.stringify(TOKEN).slice(1, -1), encodeURIComponent(TOKEN), 's3cret'];
  const texts = [inspect(error, { depth: 10, showHidden: true }), JSON.stringify(error), String(error.stack)];
  for (let current = error; current; current = current.cause) {
    texts.push(String(current.message), String(current.stack));
  }
  for (const f of error.failures ?? []) texts.push(f.path, f.message);
  for (const text of texts) {
    for (const spelling of spellings) assert.ok(!text.includes(spelling), `token leaked: ${text}`);
  }
}

test('a good environment: validated, unknown fields stripped, the request as Convex sends it', async () => {
  server.answer = answers.success({ ...goodEnv, extra: 'future field', files: goodEnv.files.map((f) => ({ ...f, mtime: 1 })) });
  const env = await fetchUserEnvironment('j57abc');
  assert.deepEqual(env, goodEnv);
  assert.equal(server.requests.length, 1);
  const [request] = server.requests;
  assert.equal(request.method, 'POST');
  assert.equal(request.url, '/api/action');
  assert.match(request.headers['content-type'], /^application\/json/);
  assert.match(request.headers['convex-client'], /^npm-1\.48\./);
  assert.equal(request.headers.authorization, undefined, 'the worker token goes in the args, not in a header');
  assert.deepEqual(request.body, {
    path: 'userDotfilesNode:getEnvironmentForJob',
    format: 'convex_encoded_json',
    args: [{ workerToken: TOKEN, jobId: 'j57abc' }],
  });
});

test('optional fields stay absent; an empty files list is fine', async () => {
  server.answer = answers.success({ username: 'bob', enabled: false, files: [] });
  assert.deepEqual(await fetchUserEnvironment('j1'), { username: 'bob', enabled: false, files: [] });
});

test('null passes through', async () => {
  server.answer = answers.success(null);
  assert.equal(await fetchUserEnvironment('j1'), null);
});

const file = (over = {}) => ({ path: '.bashrc', content: 'export A=1\n', isExecutable: false, ...over });
const MiB = 1024 * 1024;
const malformed = [
  ['username is a number', { ...goodEnv, username: 42 }, ['username']],
  ['username missing', { ...goodEnv, username: undefined }, ['username']],
  ['username with a slash', { ...goodEnv, username: '../root' }, ['username']],
  ['username in capitals', { ...goodEnv, username: 'Alice' }, ['username']],
  ['username empty', { ...goodEnv, username: '' }, ['username']],
  ['username too long', { ...goodEnv, username: 'a'.repeat(33) }, ['username']],
  ['enabled is a string', { ...goodEnv, enabled: 'yes' }, ['enabled']],
  ['dotfilesRepoUrl is a number', { ...goodEnv, dotfilesRepoUrl: 5 }, ['dotfilesRepoUrl']],
  ['dotfilesRepoRef is null', { ...goodEnv, dotfilesRepoRef: null }, ['dotfilesRepoRef']],
  ['dotfilesRepoRef with NUL', { ...goodEnv, dotfilesRepoRef: 'main\0evil' }, ['dotfilesRepoRef']],
  ['setupCommand is an object', { ...goodEnv, setupCommand: {} }, ['setupCommand']],
  ['files missing', { ...goodEnv, files: undefined }, ['files']],
  ['files is a string', { ...goodEnv, files: '.bashrc' }, ['files']],
  ['a file entry is a string', { ...goodEnv, files: [file(), '.vimrc'] }, ['files[1]']],
  ['a file path is a number', { ...goodEnv, files: [file({ path: 7 })] }, ['files[0].path']],
  ['a file path is empty', { ...goodEnv, files: [file({ path: '' })] }, ['files[0].path']],
  ['a file path with NUL', { ...goodEnv, files: [file({ path: '.bashrc\0x' })] }, ['files[0].path']],
  ['a file content missing', { ...goodEnv, files: [file({ content: undefined })] }, ['files[0].content']],
  ['a file content in $bytes', { ...goodEnv, files: [file({ content: { $bytes: 'aGk=' } })] }, ['files[0].content']],
  ['isExecutable is a string', { ...goodEnv, files: [file(), file({ isExecutable: 'true' })] }, ['files[1].isExecutable']],
  ['content over 1 MiB', { ...goodEnv, files: [file({ content: 'x'.repeat(MiB + 1) })] }, ['files[0].content']],
  ['content over 1 MiB in UTF-8 bytes', { ...goodEnv, files: [file({ content: 'é'.repeat(MiB / 2 + 1) })] }, ['files[0].content']],
  ['total over 16 MiB', { ...goodEnv, files: Array.from({ length: 17 }, (_, i) => file({ path: `f${i}`, content: 'x'.repeat(MiB) })) }, ['files']],
  ['more than 10,000 files', { ...goodEnv, files: Array.from({ length: 10_001 }, (_, i) => file({ path: `f${i}` })) }, ['files']],
  ['path longer than 4096 bytes', { ...goodEnv, files: [file({ path: 'ab/'.repeat(1366) + 'c' })] }, ['files[0].path']],
  ['a component longer than 255 bytes', { ...goodEnv, files: [file({ path: `dir/${'n'.repeat(256)}` })] }, ['files[0].path']],
  ['the environment is a string', 'alice', ['(environment)']],
  ['the environment is an array', [goodEnv], ['(environment)']],
];

for (const [name, value, paths] of malformed) {
  test(`malformed environment: ${name} -> ERR_BAD_ENVIRONMENT naming ${paths.join(', ')}`, async () => {
    // Convex drops `undefined` fields on the wire, as the backend would.
    server.answer = answers.success(JSON.parse(JSON.stringify(value)));
    const error = await rejectsWith(fetchUserEnvironment('j1'), 'ERR_BAD_ENVIRONMENT');
    assert.deepEqual(
      error.failures.map((f) => f.path),
      paths,
      error.message,
    );
    for (const failure of error.failures) {
      assert.equal(failure.code, 'ERR_BAD_ENVIRONMENT');
      assert.ok(error.message.includes(`${failure.path}: ${failure.message}`), error.message);
    }
    assert.ok(error.message.length < 5000, 'the message stays readable');
    assertNoToken(error);
  });
}

test('several problems at once are each listed; file contents are never quoted', async () => {
  const secret = 'PRIVATE-KEY-MATERIAL';
  server.answer = answers.success({
    username: 7,
    enabled: true,
    files: [file({ content: secret }), file({ path: 3, content: secret }), file({ isExecutable: 1, content: secret })],
  });
  const error = await rejectsWith(fetchUserEnvironment('j1'), 'ERR_BAD_ENVIRONMENT');
  assert.deepEqual(error.failures.map((f) => f.path).sort(), ['files[1].path', 'files[2].isExecutable', 'username']);
  assert.match(error.message, /3 problems/);
  assert.ok(!inspect(error, { depth: 10 }).includes(secret));
});

test('a function error (HTTP 560, status "error") is ERR_BACKEND with the backend message', async () => {
  server.answer = answers.functionError('Uncaught Error: job j9 not found');
  const error = await rejectsWith(fetchUserEnvironment('j9'), 'ERR_BACKEND');
  assert.match(error.message, /userDotfilesNode:getEnvironmentForJob at http:\/\/127\.0\.0\.1:\d+ failed: Uncaught Error: job j9 not found/);
  assert.equal(error.url, server.url);
});

test('a ConvexError carries its data into the message', async () => {
  server.answer = answers.functionError('forbidden', { kind: 'Unauthorized', reason: 'bad worker token' });
  const error = await rejectsWith(fetchUserEnvironment('j9'), 'ERR_BACKEND');
  assert.match(error.message, /failed: forbidden \(data: \{"kind":"Unauthorized","reason":"bad worker token"\}\)/);
});

test('HTTP 500 is ERR_BACKEND with the status and the body', async () => {
  server.answer = answers.http(500, 'InternalServerError: the deployment is restarting');
  const error = await rejectsWith(fetchUserEnvironment('j1'), 'ERR_BACKEND');
  assert.match(error.message, /HTTP 500 .*: InternalServerError: the deployment is restarting/);
});

test('a 200 that is not JSON is ERR_BACKEND', async () => {
  server.answer = answers.raw(200, '<html>proxy login</html>');
  const error = await rejectsWith(fetchUserEnvironment('j1'), 'ERR_BACKEND');
  assert.match(error.message, /unreadable answer/);
});

test('a server that never answers: ERR_BACKEND after the configured timeout', async () => {
  configure({ backendTimeoutMs: 400 });
  for (const answer of [answers.hang(), answers.hangAfterHeaders()]) {
    server.answer = answer;
    const started = Date.now();
    const error = await rejectsWith(fetchUserEnvironment('j1'), 'ERR_BACKEND');
    const elapsed = Date.now() - started;
    assert.match(error.message, /did not answer within 400 ms/);
    assert.ok(elapsed >= 350 && elapsed < 2000, `took ${elapsed} ms`);
  }
});

test('an answer larger than 64 MiB is refused: by its Content-Length, and while streaming', async () => {
  server.answer = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(65 * 1024 * 1024) });
    res.write('{"status":"success","value":');
  };
  let error = await rejectsWith(fetchUserEnvironment('j1'), 'ERR_BACKEND');
  assert.match(error.message, /more than 67108864 bytes/);
  // Chunked, no length: JSON whitespace until the client gives up.
  server.answer = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"status":"success","value":');
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < 80 && res.write(chunk)) sent++;
      if (sent < 80 && !res.destroyed) res.once('drain', () => { sent++; pump(); });
    };
    res.on('error', () => undefined);
    pump();
  };
  error = await rejectsWith(fetchUserEnvironment('j1'), 'ERR_BACKEND');
  assert.match(error.message, /more than 67108864 bytes/);
});

test('connection refused is ERR_BACKEND with the OS error', async () => {
  const port = await new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address();
      probe.close(() => resolve(free));
    });
  });
  configure({ convexUrl: `http://127.0.0.1:${port}` });
  const error = await rejectsWith(fetchUserEnvironment('j1'), 'ERR_BACKEND');
  assert.match(error.message, /cannot reach the Convex backend .*ECONNREFUSED/);
  assert.equal(error.osCode, 'ECONNREFUSED');
  assert.equal(error.syscall, 'connect');
});

test('the worker token never appears in an error, whatever the backend echoes', async () => {
  const echoes = [
    [answers.functionError(`invalid worker token ${TOKEN}`, { token: TOKEN, encoded: encodeURIComponent(TOKEN) }), 'ERR_BACKEND'],
    [answers.http(401, `bad token ${JSON.stringify(TOKEN)} / ${encodeURIComponent(TOKEN)}`), 'ERR_BACKEND'],
    [answers.http(502, `upstream said: ${TOKEN}`), 'ERR_BACKEND'],
    [answers.raw(200, `not json ${TOKEN}`), 'ERR_BACKEND'],
    [answers.success({ username: TOKEN, enabled: true, files: [{ path: TOKEN, content: 1, isExecutable: false }] }), 'ERR_BAD_ENVIRONMENT'],
  ];
  for (const [answer, code] of echoes) {
    server.answer = answer;
    const error = await rejectsWith(fetchUserEnvironment('j1'), code);
    assertNoToken(error);
  }
  // The token reached the server, so the scrubbing above is what kept it out.
  assert.equal(server.requests.at(-1).body.args[0].workerToken, TOKEN);
});

test('the stack points at the caller, not at the shim', async () => {
  server.answer = answers.functionError('nope');
  const error = await rejectsWith(fetchUserEnvironment('j1'), 'ERR_BACKEND');
  assert.match(error.stack, /^HomeNativeError \[ERR_BACKEND\]: /);
  assert.match(error.stack, /convex\.test\.mjs/);
});

test('one client per deployment URL, reused across calls; a new URL makes a new one', async () => {
  server.answer = answers.success(null);
  await fetchUserEnvironment('warm');
  const before = convexClientsCreated();
  await Promise.all(['a', 'b', 'c'].map((id) => fetchUserEnvironment(id)));
  await fetchUserEnvironment('d');
  assert.equal(convexClientsCreated(), before, 'calls with one configuration share one client');
  const other = await startConvexServer(answers.success(null));
  try {
    configure({ convexUrl: other.url });
    await fetchUserEnvironment('e');
    await fetchUserEnvironment('f');
    assert.equal(convexClientsCreated(), before + 1);
    assert.equal(other.requests.length, 2);
  } finally {
    await other.close();
  }
});

test('concurrent calls each get their own answer', async () => {
  server.answer = (_req, res, body) => {
    const { jobId } = body.args[0];
    const value = { username: `u${jobId}`, enabled: true, files: [] };
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'success', value, logLines: [] }));
    }, 50 - Number(jobId) * 5);
  };
  const results = await Promise.all(['1', '2', '3', '4', '5'].map((id) => fetchUserEnvironment(id)));
  assert.deepEqual(results.map((r) => r.username), ['u1', 'u2', 'u3', 'u4', 'u5']);
});

test('unset settings are ERR_NOT_CONFIGURED naming the missing one', async () => {
  resetSettingsForTests();
  let error = await rejectsWith(fetchUserEnvironment('j1'), 'ERR_NOT_CONFIGURED');
  assert.match(error.message, /convexUrl .*CONVEX_URL/);
  configure({ convexUrl: server.url });
  error = await rejectsWith(fetchUserEnvironment('j1'), 'ERR_NOT_CONFIGURED');
  assert.match(error.message, /workerToken .*WORKER_TOKEN/);
  assert.equal(server.requests.length, 0);
});

test('a convexUrl that is not http(s) is ERR_NOT_CONFIGURED', async () => {
  configure({ convexUrl: 'ftp://example.com' });
  await rejectsWith(fetchUserEnvironment('j1'), 'ERR_NOT_CONFIGURED');
});

test('falls back to CONVEX_URL and WORKER_TOKEN', async () => {
  resetSettingsForTests();
  process.env.CONVEX_URL = server.url;
  process.env.WORKER_TOKEN = 'from-the-environment';
  server.answer = answers.success(null);
  assert.equal(await fetchUserEnvironment('j1'), null);
  assert.equal(server.requests.at(-1).body.args[0].workerToken, 'from-the-environment');
});

test('a jobId that is not a non-empty string is ERR_INVALID_ARG_TYPE', async () => {
  await rejectsWith(fetchUserEnvironment(''), 'ERR_INVALID_ARG_TYPE');
  await rejectsWith(fetchUserEnvironment(42), 'ERR_INVALID_ARG_TYPE');
  assert.equal(server.requests.length, 0);
});

test("the backend's log lines go to stderr, scrubbed, and never to stdout", async () => {
  // A child process, so its real stdout and stderr can be read.
  const script = `
    import { configure, fetchUserEnvironment } from '@spoon/home-native';
    configure({ convexUrl: process.argv[1], workerToken: process.argv[2] });
    const env = await fetchUserEnvironment('j1');
    process.stdout.write(JSON.stringify(env));
  `;
  server.answer = answers.success(null, [`[INFO] checking token ${TOKEN}`, '[WARN] slow query']);
  // Async: the server answering it lives in this process.
  const child = await runNode(['--input-type=module', '-e', script, server.url, TOKEN], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    timeoutMs: 20_000,
  });
  assert.equal(child.code, 0, child.stderr);
  assert.equal(child.stdout, 'null');
  assert.match(child.stderr, /\[CONVEX A\(userDotfilesNode:getEnvironmentForJob\)\] \[INFO\] checking token \[redacted\]/);
  assert.match(child.stderr, /\[WARN\] slow query/);
  assert.ok(!child.stderr.includes('s3cret'), child.stderr);
});

test('backendTimeoutMs must be a positive integer', () => {
  for (const bad of [0, -1, 1.5, '1000', Number.NaN]) {
    assert.throws(() => configure({ backendTimeoutMs: bad }), { code: 'ERR_INVALID_ARG_TYPE' });
  }
});
