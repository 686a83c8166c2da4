#!/usr/bin/env node
import { redactProcessOutput } from './redact-process-output.js';
import { runCli } from './run-cli.js';

// Whatever any command prints, keys and other secrets never leave through stdout or stderr.
redactProcessOutput();
process.exitCode = await runCli(process.argv);
