import {
  SandboxCrashedError,
  SandboxJobError,
  SandboxTimeoutError,
  WorkerSandbox,
  type WorkerMain,
} from './worker-sandbox';

interface Job {
  op: 'echo' | 'spin' | 'fail' | 'crash' | 'hog' | 'recycle';
  value?: unknown;
}

/** A worker body with one operation per behaviour under test. Self-contained, as required. */
const main: WorkerMain<{ greeting: string }> = (load, data) => {
  const { parentPort } = load('node:worker_threads') as typeof import('node:worker_threads');
  const port = parentPort as import('node:worker_threads').MessagePort;
  const threadId = (load('node:worker_threads') as typeof import('node:worker_threads')).threadId;
  port.on('message', (message: { type: string; input: Job }) => {
    const job = message.input;
    switch (job.op) {
      case 'echo':
        port.postMessage({
          type: 'result',
          ok: true,
          value: { echo: job.value, greeting: data.greeting, threadId },
        });
        return;
      case 'recycle':
        port.postMessage({ type: 'result', ok: true, value: { threadId }, recycle: true });
        return;
      case 'spin':
        for (;;) {
          // a loop nothing inside the thread can interrupt
        }
      case 'fail':
        port.postMessage({ type: 'result', ok: false, error: 'bad job' });
        return;
      case 'crash':
        throw new Error('boom');
      case 'hog': {
        const hoard: number[][] = [];
        for (;;) hoard.push(new Array(1e6).fill(1));
      }
    }
  });
  port.postMessage({ type: 'ready' });
};

function makeSandbox() {
  return new WorkerSandbox<Job, Record<string, unknown>, { greeting: string }>({
    name: 'test',
    main,
    data: { greeting: 'hello' },
    resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 },
    maxIdle: 1,
    maxJobsPerWorker: 3,
  });
}

describe('WorkerSandbox', () => {
  const sandbox = makeSandbox();
  const limit = (timeoutMs = 2000, signal = new AbortController().signal) => ({
    timeoutMs,
    signal,
  });
  afterAll(() => sandbox.close());

  it('runs a job in a thread that received its data', async () => {
    await expect(sandbox.run({ op: 'echo', value: [1, 'x'] }, limit())).resolves.toMatchObject({
      echo: [1, 'x'],
      greeting: 'hello',
    });
  });

  it('reuses an idle thread, and replaces it after maxJobsPerWorker jobs or when asked', async () => {
    const fresh = makeSandbox();
    const ids: unknown[] = [];
    for (let i = 0; i < 4; i++) ids.push((await fresh.run({ op: 'echo' }, limit())).threadId);
    expect(new Set(ids.slice(0, 3)).size).toBe(1);
    expect(ids[3]).not.toBe(ids[0]);
    const recycled = (await fresh.run({ op: 'recycle' }, limit())).threadId;
    expect((await fresh.run({ op: 'echo' }, limit())).threadId).not.toBe(recycled);
    await fresh.close();
  });

  it('terminates a job at its time limit, even in a tight loop, without blocking the event loop', async () => {
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 20);
    await expect(sandbox.run({ op: 'spin' }, limit(300))).rejects.toBeInstanceOf(
      SandboxTimeoutError,
    );
    clearInterval(ticker);
    expect(ticks).toBeGreaterThan(5);
    await expect(sandbox.run({ op: 'echo', value: 1 }, limit())).resolves.toMatchObject({
      echo: 1,
    });
  });

  it('rejects with the abort reason when the signal fires', async () => {
    const controller = new AbortController();
    const pending = sandbox.run({ op: 'spin' }, limit(5000, controller.signal));
    setTimeout(() => controller.abort(new Error('gone')), 100);
    await expect(pending).rejects.toThrow('gone');
  });

  it('reports a job’s own failure', async () => {
    await expect(sandbox.run({ op: 'fail' }, limit())).rejects.toEqual(
      new SandboxJobError('bad job'),
    );
  });

  it('reports a crashed thread, and one that ran out of memory', async () => {
    await expect(sandbox.run({ op: 'crash' }, limit())).rejects.toBeInstanceOf(SandboxCrashedError);
    const hog = sandbox.run({ op: 'hog' }, limit(10_000));
    await expect(hog).rejects.toMatchObject({ name: 'SandboxCrashedError', outOfMemory: true });
    await expect(sandbox.run({ op: 'echo', value: 2 }, limit())).resolves.toMatchObject({
      echo: 2,
    });
  });
});
