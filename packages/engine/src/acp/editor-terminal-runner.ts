import { setTimeout as sleep } from 'node:timers/promises';
import type * as acp from '@agentclientprotocol/sdk';
import {
  type CapturedOutput,
  type CommandRunner,
  createOutputCapture,
  type ProcessTreeResult,
} from '@herd/tools';

/** How long to wait for the editor to report the exit of a command it was asked to kill. */
const killGraceMs = 5000;

const noOutput: CapturedOutput = { text: '', totalBytes: 0, omittedBytes: 0 };

/**
 * The editor's terminal as Herd's command runner: `terminal/create` with the argv, the workspace `cwd` and the
 * allow-listed environment, then `terminal/wait_for_exit`, `terminal/output` and `terminal/release`; the time
 * limit and cancellation send `terminal/kill`. Stdout and stderr come back interleaved as one output (reported as
 * stdout), capped like a local command's. The editor, not Herd, decides the sandbox (none) and may add its own
 * environment.
 */
export function createEditorTerminalRunner(options: {
  client: acp.AgentContext;
  sessionId: string;
}): CommandRunner {
  const { client, sessionId } = options;
  return {
    description: "the editor's terminal",
    async run({ argv, cwd, environment, timeoutMs, outputLimitBytes, signal }) {
      const started = Date.now();
      const [command, ...args] = argv;
      const ended = (fields: Partial<ProcessTreeResult>): ProcessTreeResult => ({
        exitCode: undefined,
        signal: undefined,
        timedOut: false,
        aborted: false,
        failedToStart: false,
        error: undefined,
        stdout: noOutput,
        stderr: noOutput,
        durationMs: Date.now() - started,
        ...fields,
      });
      let terminal: acp.TerminalHandle;
      try {
        terminal = await client.createTerminal({
          sessionId,
          command: command!,
          args,
          cwd,
          env: Object.entries(environment).map(([name, value]) => ({ name, value })),
          // Both streams share the editor's buffer; Herd cuts it to head and tail afterwards.
          outputByteLimit: outputLimitBytes * 2,
        });
      } catch (error) {
        return ended({ failedToStart: true, error: error instanceof Error ? error.message : String(error) });
      }
      let timedOut = false;
      let aborted = false;
      let killRequested = false;
      let onKill = () => {};
      const killed = new Promise<void>((resolve) => {
        onKill = resolve;
      });
      const graceOver = new AbortController();
      const kill = () => {
        if (killRequested) return;
        killRequested = true;
        onKill();
        void terminal.kill().catch(() => {});
      };
      const timer = setTimeout(() => {
        timedOut = true;
        kill();
      }, timeoutMs);
      const onAbort = () => {
        aborted = true;
        kill();
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      try {
        const exiting = terminal.waitForExit();
        exiting.catch(() => {});
        // An editor that never reports the exit of a killed command must not hold the run forever.
        const exit = await Promise.race([
          exiting,
          killed
            .then(() => sleep(killGraceMs, undefined, { signal: graceOver.signal }))
            .catch(() => undefined),
        ]);
        const output = await terminal.currentOutput();
        const capture = createOutputCapture(outputLimitBytes);
        capture.push(Buffer.from(output.output));
        const captured = capture.result();
        return ended({
          exitCode: exit?.exitCode ?? undefined,
          signal: exit?.signal ?? undefined,
          timedOut,
          aborted,
          stdout: output.truncated
            ? { ...captured, text: `[… earlier output cut by the editor …]\n${captured.text}` }
            : captured,
        });
      } finally {
        clearTimeout(timer);
        graceOver.abort();
        signal.removeEventListener('abort', onAbort);
        await terminal.release().catch(() => {});
      }
    },
  };
}
