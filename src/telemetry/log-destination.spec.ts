import { EventEmitter } from 'node:events';
import { mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import {
  bufferedLogDestination,
  LOG_BUFFER_BYTES,
  LOG_FLUSH_MS,
  type LineBatch,
} from './log-destination';

describe('bufferedLogDestination', () => {
  let path: string;
  let fd: number;
  let opened: LineBatch[] = [];
  const destination = (exit = new EventEmitter()): LineBatch => {
    const made = bufferedLogDestination(fd, exit);
    opened.push(made);
    return made;
  };
  const written = (): string[] => readFileSync(path, 'utf8').split('\n').filter(Boolean);

  beforeEach(() => {
    path = join(mkdtempSync(join(tmpdir(), 'tiergate-log-')), 'out.log');
    fd = openSync(path, 'w');
  });
  // Stops the flush timers and closes the file.
  afterEach(() => {
    for (const made of opened) made.destroy();
    opened = [];
  });

  it('holds a few lines, then writes them within the flush interval without more traffic', async () => {
    const logger = pino({}, destination());
    logger.info({ n: 1 }, 'one');
    logger.info({ n: 2 }, 'two');
    expect(written()).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, LOG_FLUSH_MS * 3));
    expect(written().map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual([
      'one',
      'two',
    ]);
  });

  it(`writes as soon as ${LOG_BUFFER_BYTES} bytes wait, in order`, () => {
    const logger = pino({}, destination());
    const count = Math.ceil(LOG_BUFFER_BYTES / 50) + 1;
    for (let n = 0; n < count; n++) logger.info({ n });
    const lines = written().map((line) => (JSON.parse(line) as { n: number }).n);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines).toEqual(Array.from({ length: lines.length }, (_, n) => n));
  });

  it('writes what is still buffered when the process exits', () => {
    const exit = new EventEmitter();
    const logger = pino({}, destination(exit));
    logger.info('last words');
    expect(written()).toEqual([]);
    exit.emit('exit');
    expect(written().map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual([
      'last words',
    ]);
  });
});
