import { pino, type DestinationStream } from 'pino';

/**
 * Lines wait until this many bytes are buffered: one `write(2)` for about ten request lines
 * rather than one per line (issue 17: 2.8 % of the gateway's busy time at saturation).
 */
export const LOG_BUFFER_BYTES = 4096;

/** ... and never longer than this, so that a quiet gateway's lines are not held back. */
export const LOG_FLUSH_MS = 100;

/** What the buffered destination needs of the process: its `exit`, to write what is left. */
export interface ExitEvents {
  once(event: 'exit', listener: () => void): unknown;
}

/**
 * The gateway's log destination: file descriptor `fd` (stdout), written synchronously as
 * before (a full pipe still slows the writer rather than growing a queue), in batches of
 * {@link LOG_BUFFER_BYTES} flushed at least every {@link LOG_FLUSH_MS}, and whatever is still
 * buffered written when the process exits (SIGTERM, `process.exit`, an uncaught exception).
 * Only a SIGKILL can lose the last {@link LOG_FLUSH_MS} of lines.
 */
export function bufferedLogDestination(fd: number, exitEvents: ExitEvents = process): LineBatch {
  // SonicBoom writes each batch at once, and keeps what a full pipe (EAGAIN) would not take.
  const batch = new LineBatch(pino.destination({ dest: fd, sync: true }));
  // pino writes out only its asynchronous destinations at exit; this one buffers too.
  exitEvents.once('exit', () => {
    try {
      batch.flushSync();
    } catch {
      // Already closed (or stdout gone): nothing more can be written.
    }
  });
  return batch;
}

type SonicBoom = ReturnType<typeof pino.destination>;

/**
 * Lines joined into one write of at least {@link LOG_BUFFER_BYTES}. SonicBoom's own buffering
 * (`minLength`) measured the UTF-8 length of everything it held on every line, flattening the
 * growing text each time: about 1.2 µs and several KB of garbage per request line (issue 17).
 * Here a line is appended to a rope and measured in characters (never more than its bytes), and
 * the rope is flattened once, by the write.
 */
export class LineBatch implements DestinationStream {
  private pending = '';
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly sink: SonicBoom) {
    this.timer = setInterval(() => this.flushLines(), LOG_FLUSH_MS);
    this.timer.unref();
  }

  write(line: string): void {
    const pending = this.pending + line;
    if (pending.length < LOG_BUFFER_BYTES) {
      this.pending = pending;
      return;
    }
    this.pending = '';
    this.sink.write(pending);
  }

  /** Hands the held lines to the file, then waits for them to be written (pino's `flush`). */
  flush(callback?: (error?: Error) => void): void {
    this.flushLines();
    this.sink.flush(callback);
  }

  /** Writes every held line before returning. */
  flushSync(): void {
    this.flushLines();
    this.sink.flushSync();
  }

  /** Stops the flush timer and closes the file, held lines dropped (tests). */
  destroy(): void {
    clearInterval(this.timer);
    this.pending = '';
    this.sink.destroy();
  }

  private flushLines(): void {
    const pending = this.pending;
    if (pending === '') return;
    this.pending = '';
    this.sink.write(pending);
  }
}

let stdout: DestinationStream | undefined;

/** One buffered destination on stdout for the whole process (one exit listener, one buffer). */
export function stdoutLogDestination(): DestinationStream {
  stdout ??= bufferedLogDestination(1);
  return stdout;
}
