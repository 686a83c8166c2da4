#!/usr/bin/env node
// A tiny Agent Client Protocol client for trying `herd acp` without an editor. No dependencies: ACP over stdio is
// newline-delimited JSON-RPC 2.0, so this script is also a readable example of the protocol. For a real client,
// use @agentclientprotocol/sdk (`client()` / `connectWith`), as Herd's own tests do.
//
//   node acp-client.mjs [--cwd DIR] [--mode plan|act] [--yes] [--herd "node path/to/herd.js"] "task"
//
// --yes answers "allow once" to every question; without it, questions are asked on the terminal (and refused
// when stdin is not a terminal). --herd is the command that starts the agent (default: `herd`, as installed on PATH
// by the README's Install section). Ctrl-C cancels.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    cwd: { type: 'string', default: process.cwd() },
    mode: { type: 'string' },
    yes: { type: 'boolean', default: false },
    herd: { type: 'string', default: 'herd' },
  },
});
const task = positionals.join(' ');
if (!task) {
  console.error('usage: node acp-client.mjs [--cwd DIR] [--mode plan|act] [--yes] [--herd CMD] "task"');
  process.exit(2);
}

const [command, ...args] = values.herd.split(' ');
const agent = spawn(command, [...args, 'acp'], { stdio: ['pipe', 'pipe', 'inherit'] });
// A command that cannot be started is one line saying what to do, not a `spawn herd ENOENT` stack.
agent.on('error', (error) => {
  console.error(
    error.code !== 'ENOENT'
      ? `cannot start ${values.herd}: ${error.message}`
      : command === 'herd'
        ? 'herd is not on PATH: install it from a Herd clone with `pnpm release:pack` and `npm install -g ./dist-tarballs/*.tgz` (its README, "Install"), or pass --herd "node path/to/herd/packages/engine/bin/herd.js".'
        : `${command} is not on PATH (from --herd "${values.herd}"); pass the command that starts herd, e.g. --herd "node path/to/herd/packages/engine/bin/herd.js".`,
  );
  process.exit(127);
});
const pending = new Map();
let nextId = 0;

const send = (message) => agent.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
const request = (method, params) =>
  new Promise((resolvePromise, reject) => {
    const id = nextId++;
    pending.set(id, { resolve: resolvePromise, reject });
    send({ id, method, params });
  });

// What the agent asks of the client: permission for an action. This client offers no fs/* or terminal/*.
async function answer(message) {
  if (message.method !== 'session/request_permission') {
    send({ id: message.id, error: { code: -32601, message: `${message.method} is not supported` } });
    return;
  }
  const { toolCall, options } = message.params;
  console.log(`\n? ${toolCall.title}`);
  for (const content of toolCall.content ?? []) if (content.content?.text) console.log(content.content.text);
  let chosen = values.yes ? options.find((option) => option.kind === 'allow_once') : undefined;
  if (!chosen && process.stdin.isTTY) {
    for (const [index, option] of options.entries()) console.log(`  ${index + 1}. ${option.name}`);
    const readline = createInterface({ input: process.stdin, output: process.stdout });
    const reply = await new Promise((resolveReply) => readline.question('> ', resolveReply));
    readline.close();
    chosen = options[Number(reply) - 1];
  }
  chosen ??= options.find((option) => option.kind.startsWith('reject'));
  console.log(`  → ${chosen.name}`);
  send({ id: message.id, result: { outcome: { outcome: 'selected', optionId: chosen.optionId } } });
}

// What the agent reports: print each session update in a line or two.
function show(update) {
  switch (update.sessionUpdate) {
    case 'agent_message_chunk':
      process.stdout.write(update.content.text ?? '');
      break;
    case 'agent_thought_chunk':
      process.stdout.write(`  · ${update.content.text ?? ''}`);
      break;
    case 'plan':
      console.log('plan:');
      for (const entry of update.entries)
        console.log(
          `  [${entry.status === 'completed' ? 'x' : entry.status === 'in_progress' ? '~' : ' '}] ${entry.content}`,
        );
      break;
    case 'tool_call':
      console.log(`→ ${update.title} (${update.kind ?? 'other'})`);
      break;
    case 'tool_call_update':
      if (update.status)
        console.log(
          `  ${update.status === 'completed' ? '✓' : update.status === 'failed' ? '✗' : '…'} ${update.toolCallId}`,
        );
      for (const content of update.content ?? [])
        if (content.type === 'diff') console.log(`  diff ${content.path}\n${indent(content.newText)}`);
      break;
    case 'current_mode_update':
      console.log(`mode: ${update.currentModeId}`);
      break;
  }
}

const indent = (text) =>
  text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');

let buffer = '';
agent.stdout.on('data', (chunk) => {
  buffer += chunk.toString('utf8');
  for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
    const line = buffer.slice(0, newline);
    buffer = buffer.slice(newline + 1);
    if (!line.trim()) continue;
    const message = JSON.parse(line);
    if (message.method === 'session/update') show(message.params.update);
    else if (message.method && message.id !== undefined) void answer(message);
    else if (pending.has(message.id)) {
      const { resolve: settle, reject } = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) reject(new Error(message.error.message));
      else settle(message.result);
    }
  }
});

try {
  const initialized = await request('initialize', {
    protocolVersion: 1,
    clientCapabilities: { fs: { readTextFile: false, writeTextFile: false }, terminal: false },
    clientInfo: { name: 'herd-example-client', version: '0.1.0' },
  });
  console.log(
    `connected to ${initialized.agentInfo?.title ?? 'an agent'} ${initialized.agentInfo?.version ?? ''}`,
  );
  const { sessionId } = await request('session/new', { cwd: resolve(values.cwd), mcpServers: [] });
  // Ctrl-C cancels the prompt (the agent stops and answers `cancelled`); a second Ctrl-C quits.
  process.once('SIGINT', () => send({ method: 'session/cancel', params: { sessionId } }));
  if (values.mode) await request('session/set_mode', { sessionId, modeId: values.mode });
  const { stopReason } = await request('session/prompt', {
    sessionId,
    prompt: [{ type: 'text', text: task }],
  });
  console.log(`\nstop reason: ${stopReason}`);
  process.exitCode = stopReason === 'end_turn' ? 0 : 1;
} catch (error) {
  console.error(`error: ${error.message}`);
  process.exitCode = 1;
} finally {
  agent.stdin.end();
}
