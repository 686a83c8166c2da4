/**
 * The program the launcher runs (`node -e`, CommonJS): it starts the programs Herd asks for over its IPC channel
 * and sends back how each ended. It is text in a module rather than a file beside it so that it is found the same
 * way from the TypeScript sources (under vitest) and from the built package, and so that no loader, flag or
 * instrumentation of Herd's own process reaches it.
 *
 * Messages in: `{ type: 'start', id, request }` (a {@link HostProcessRequest}) and `{ type: 'stop', id }` (Herd's
 * caller cancelled). Messages out: `{ id, piece: { stream, bytes } }` for each 256 KiB of output, then
 * `{ id, outcome }` (a {@link HostProcessOutcome}) whose stdout and stderr are what is left. `start` mirrors
 * {@link spawnHostProcess}: keep the two alike.
 *
 * - Output crosses in pieces because Node.js 20 joins the bytes of one message read so far at every read (64 KiB),
 *   which is quadratic: 60 MB of `git diff` in one message took 3.4 s against 1.1 s in pieces.
 *
 * - It runs as long as its channel: when Herd exits or crashes the channel closes, and the launcher stops the
 *   programs still running (SIGTERM, as a cancel does) and exits.
 * - Ctrl-C in a terminal reaches the whole process group: Herd decides what a SIGINT stops (the programs get it from
 *   the terminal themselves), so the launcher ignores it rather than fail the requests in flight.
 */
export const hostLauncherProgram = `'use strict';
const { spawn } = require('node:child_process');
const running = new Map();
const pieceBytes = 256 * 1024;
const reply = (id, outcome) => {
  running.delete(id);
  if (process.connected) process.send({ id, outcome });
};
const sendPiece = (id, stream, held) => {
  if (process.connected) process.send({ id, piece: { stream, bytes: Buffer.concat(held) } });
};
function start(id, request) {
  let child;
  try {
    child = spawn(request.executable, request.args, {
      cwd: request.cwd,
      env: request.env,
      stdio: [request.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
  } catch (error) {
    reply(id, { kind: 'unstartable', reason: String(error && error.message) });
    return;
  }
  running.set(id, child);
  const chunks = { stdout: [], stderr: [] };
  const sizes = { stdout: 0, stderr: 0 };
  const held = { stdout: 0, stderr: 0 };
  let overflowed;
  let settled = false;
  const settle = (outcome) => {
    if (settled) return;
    settled = true;
    reply(id, outcome);
  };
  for (const stream of ['stdout', 'stderr']) {
    child[stream].on('data', (chunk) => {
      if (overflowed) return;
      sizes[stream] += chunk.length;
      if (sizes[stream] > request.maxBuffer) {
        overflowed = stream;
        chunks.stdout = [];
        chunks.stderr = [];
        child.kill();
        child.stdout.destroy();
        child.stderr.destroy();
        return;
      }
      chunks[stream].push(chunk);
      held[stream] += chunk.length;
      if (held[stream] >= pieceBytes) {
        sendPiece(id, stream, chunks[stream]);
        chunks[stream] = [];
        held[stream] = 0;
      }
    });
  }
  child.on('error', (error) => {
    if (child.pid === undefined) settle({ kind: 'unstartable', reason: String(error.message) });
  });
  child.on('close', (exitCode, signal) => {
    if (overflowed) settle({ kind: 'overflowed', stream: overflowed });
    else
      settle({
        kind: 'ended',
        exitCode,
        signal,
        stdout: Buffer.concat(chunks.stdout),
        stderr: Buffer.concat(chunks.stderr),
      });
  });
  if (request.input !== undefined && child.stdin) {
    child.stdin.on('error', () => {});
    child.stdin.end(request.input);
  }
}
process.on('SIGINT', () => {});
process.on('disconnect', () => {
  for (const child of running.values()) child.kill();
  process.exit(0);
});
process.on('message', (message) => {
  if (message.type === 'start') start(message.id, message.request);
  else if (message.type === 'stop') running.get(message.id)?.kill();
});
`;
