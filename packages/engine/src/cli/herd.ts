#!/usr/bin/env node
import { redactProcessOutput } from './redact-process-output.js';
import { reportUncaughtErrors } from './report-uncaught-errors.js';
import { runCli } from './run-cli.js';
import { stopQuietlyWhenOutputCloses } from './stop-quietly-when-output-closes.js';
import { switchOffLangSmithTracing } from './switch-off-langsmith-tracing.js';

// Whatever a command prints, keys and other secrets never leave through stderr, nor through stdout where stdout is
// for people and logs. The stdout of `herd acp` and `herd mcp` is a protocol whose messages carry file contents (an
// edit written through the editor, a file read for a client): those must arrive as they are, and the events behind
// an editor's updates are redacted where they are made.
const protocol = ['acp', 'mcp'].includes(process.argv[2] ?? '');
redactProcessOutput({ streams: protocol ? [process.stderr] : [process.stdout, process.stderr] });
stopQuietlyWhenOutputCloses();
// What nothing caught is reported (redacted) by Herd, not printed by Node past the redaction of stderr.
reportUncaughtErrors();
// LangChain's tracing would send prompts and replies to LangSmith past every redaction: it is off in Herd.
const tracing = switchOffLangSmithTracing();
if (tracing.length > 0) {
  process.stderr.write(
    `herd: LangSmith tracing is off for Herd (${tracing.join(', ')} ignored): traces would carry prompts and replies past its secret redaction.\n`,
  );
}
process.exitCode = await runCli(process.argv);
