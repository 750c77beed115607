import { SandboxBusyError, SandboxSlots } from './sandbox-slots';
import {
  SandboxCrashedError,
  SandboxJobError,
  SandboxTimeoutError,
  WorkerSandbox,
  type WorkerMain,
} from './worker-sandbox';

interface Job {
  op: 'echo' | 'spin' | 'fail' | 'crash' | 'hog' | 'recycle' | 'crash-later' | 'sleep';
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
      case 'crash-later':
        // Answers, then dies while idle in the pool: nobody waits on the thread any more.
        port.postMessage({ type: 'result', ok: true, value: { threadId } });
        setTimeout(() => {
          throw new Error('late crash');
        }, 20);
        return;
      case 'sleep':
        setTimeout(
          () => port.postMessage({ type: 'result', ok: true, value: { threadId } }),
          job.value as number,
        );
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

function makeSandbox(slots = new SandboxSlots({ maxWorkers: 4, queueTimeoutMs: 10_000 })) {
  return new WorkerSandbox<Job, Record<string, unknown>, { greeting: string }>(
    {
      name: 'test',
      main,
      data: { greeting: 'hello' },
      resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 },
      maxIdle: 1,
      maxJobsPerWorker: 3,
    },
    slots,
  );
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

  it('outlives a thread that crashes while idle in the pool (no unhandled error event)', async () => {
    const fresh = makeSandbox();
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown): void => void uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const first = await fresh.run({ op: 'crash-later' }, limit());
      await new Promise((resolve) => setTimeout(resolve, 300));
      const second = await fresh.run({ op: 'echo', value: 3 }, limit());
      expect(second).toMatchObject({ echo: 3 });
      // The crashed thread was forgotten, not handed the next job.
      expect(second.threadId).not.toBe(first.threadId);
    } finally {
      process.off('uncaughtException', onUncaught);
      await fresh.close();
    }
    expect(uncaught).toEqual([]);
  });
});

describe('WorkerSandbox on a bounded pool', () => {
  const limit = (timeoutMs = 5000, signal = new AbortController().signal) => ({
    timeoutMs,
    signal,
  });

  it('runs at most maxWorkers jobs at once, every sandbox together, reusing threads', async () => {
    const slots = new SandboxSlots({ maxWorkers: 1, queueTimeoutMs: 10_000 });
    const one = makeSandbox(slots);
    const two = makeSandbox(slots);
    let peak = 0;
    const watch = setInterval(() => (peak = Math.max(peak, slots.running)), 5);
    const results = await Promise.all([
      ...[1, 2, 3].map(() => one.run({ op: 'sleep', value: 50 }, limit())),
      two.run({ op: 'sleep', value: 50 }, limit()),
    ]);
    clearInterval(watch);
    expect(peak).toBe(1);
    // The three jobs of one sandbox ran one after the other on one loaded thread.
    expect(new Set(results.slice(0, 3).map((r) => r.threadId)).size).toBe(1);
    expect(slots.running).toBe(0);
    await Promise.all([one.close(), two.close()]);
  });

  it('refuses a job that waited past the queue deadline, and one whose caller left', async () => {
    const slots = new SandboxSlots({ maxWorkers: 1, queueTimeoutMs: 100 });
    const sandbox = makeSandbox(slots);
    const busy = sandbox.run({ op: 'sleep', value: 600 }, limit());
    await expect(sandbox.run({ op: 'echo' }, limit())).rejects.toEqual(new SandboxBusyError(100));
    const controller = new AbortController();
    const queued = sandbox.run({ op: 'echo' }, limit(5000, controller.signal));
    controller.abort(new Error('caller left'));
    await expect(queued).rejects.toThrow('caller left');
    expect(slots.waiting).toBe(0);
    await expect(busy).resolves.toBeDefined();
    await sandbox.close();
  });

  it('holds the slot of a thread stopped while loading until it is gone', async () => {
    const slots = new SandboxSlots({ maxWorkers: 1, queueTimeoutMs: 10_000 });
    const sandbox = makeSandbox(slots);
    const controller = new AbortController();
    const loading = sandbox.run({ op: 'echo' }, limit(5000, controller.signal));
    controller.abort(new Error('caller left'));
    await expect(loading).rejects.toThrow('caller left');
    expect(slots.running).toBe(1);
    await expect(sandbox.run({ op: 'echo', value: 5 }, limit())).resolves.toMatchObject({
      echo: 5,
    });
    expect(slots.running).toBe(0);
    await sandbox.close();
  });

  it('frees the slot of a terminated thread only once the thread is gone', async () => {
    const slots = new SandboxSlots({ maxWorkers: 1, queueTimeoutMs: 10_000 });
    const sandbox = makeSandbox(slots);
    await expect(sandbox.run({ op: 'spin' }, limit(100))).rejects.toBeInstanceOf(
      SandboxTimeoutError,
    );
    await expect(sandbox.run({ op: 'echo', value: 4 }, limit())).resolves.toMatchObject({
      echo: 4,
    });
    expect(slots.running).toBe(0);
    await sandbox.close();
  });
});
