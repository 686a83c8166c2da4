/**
 * Ends the process quietly with exit code 0 when whoever reads its standard output goes away, as `git log | head`
 * does: `herd sessions --json | head -1` and `herd plan "…" | head` print what was read and stop, with no EPIPE
 * stack trace. A closed standard error is ignored (there is nowhere left to say anything). Any other stream error
 * is left to Node (an internal error, reported as a crash).
 */
export function stopQuietlyWhenOutputCloses(
  streams: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream } = process,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  streams.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (!isClosedPipe(error)) throw error;
    exit(0);
  });
  streams.stderr.on('error', (error: NodeJS.ErrnoException) => {
    if (!isClosedPipe(error)) throw error;
  });
}

function isClosedPipe(error: NodeJS.ErrnoException): boolean {
  return error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED';
}
