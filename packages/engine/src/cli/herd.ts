#!/usr/bin/env node
import { runCli } from './run-cli.js';
import { stopQuietlyWhenOutputCloses } from './stop-quietly-when-output-closes.js';

stopQuietlyWhenOutputCloses();
process.exitCode = await runCli(process.argv);
