import { Worker, type ResourceLimits } from 'node:worker_threads';

/** A self-contained worker body: called as `main(require, workerData)` inside the thread. */
export type WorkerMain<TData> = (load: (id: string) => unknown, data: TData) => void;

/** Messages a worker body posts back. */
export type WorkerReply<TOutput> =
  | { type: 'ready' }
  | { type: 'result'; ok: true; value: TOutput; recycle?: boolean }
  | { type: 'result'; ok: false; error: string; recycle?: boolean };

export interface WorkerSandboxOptions<TData> {
  /** For error messages. */
  name: string;
  /**
   * The worker's body. It is serialised with `Function.prototype.toString`, so it must not use
   * anything from its module's scope: only its parameters and globals (load dependencies with
   * `load(absolutePath)`). It posts `{ type: 'ready' }` once loaded and answers each
   * `{ type: 'job', input }` with one `result`.
   */
  main: WorkerMain<TData>;
  data: TData;
  /** V8 limits of the thread, so a runaway heap kills the thread, not the gateway. */
  resourceLimits?: ResourceLimits;
  /** Loaded workers kept for the next job (0: one fresh thread per job). */
  maxIdle: number;
  /** Jobs one thread serves before it is replaced. */
  maxJobsPerWorker: number;
}

/** The job ran past its time limit; its thread was terminated. */
export class SandboxTimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`timed out after ${ms} ms`);
    this.name = 'SandboxTimeoutError';
  }
}

/** The thread died (out of memory, a crash); its job is lost. */
export class SandboxCrashedError extends Error {
  constructor(
    message: string,
    readonly outOfMemory: boolean,
  ) {
    super(message);
    this.name = 'SandboxCrashedError';
  }
}

/** The job itself failed and said why (the worker body's `{ ok: false, error }`). */
export class SandboxJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SandboxJobError';
  }
}

interface PooledWorker {
  thread: Worker;
  jobs: number;
}

/**
 * Runs jobs in `worker_threads` so that code which cannot be interrupted from the inside (a
 * mathjs evaluation, a WebAssembly interpreter) cannot hold the gateway's event loop: each job
 * has a wall-clock limit, and past it (or on abort) its thread is terminated, which stops even a
 * tight loop in WebAssembly. Loaded threads are kept for reuse up to `maxIdle`.
 */
export class WorkerSandbox<TInput, TOutput, TData = unknown> {
  private readonly idle: PooledWorker[] = [];
  private readonly source: string;
  private closed = false;

  constructor(private readonly options: WorkerSandboxOptions<TData>) {
    this.source =
      `'use strict';\n(${options.main.toString()})(require, ` +
      `require('node:worker_threads').workerData);\n`;
  }

  /**
   * Runs one job. The limit counts from the moment a loaded thread receives the job; loading a
   * new thread is bounded by `signal` only.
   *
   * @throws SandboxTimeoutError, SandboxCrashedError, SandboxJobError, or the signal's reason.
   */
  async run(input: TInput, limit: { timeoutMs: number; signal: AbortSignal }): Promise<TOutput> {
    limit.signal.throwIfAborted();
    const worker = this.idle.pop() ?? (await this.spawn(limit.signal));
    return new Promise<TOutput>((resolve, reject) => {
      const { thread } = worker;
      let settled = false;
      const finish = (): void => {
        settled = true;
        clearTimeout(timer);
        limit.signal.removeEventListener('abort', onAbort);
        thread.off('message', onMessage);
        thread.off('error', onError);
        thread.off('exit', onExit);
      };
      const kill = (reason: unknown): void => {
        if (settled) return;
        finish();
        void thread.terminate();
        reject(reason);
      };
      const onAbort = (): void => kill(limit.signal.reason);
      const onMessage = (reply: WorkerReply<TOutput>): void => {
        if (reply.type !== 'result' || settled) return;
        finish();
        worker.jobs++;
        this.release(worker, reply.recycle === true);
        if (reply.ok) resolve(reply.value);
        else reject(new SandboxJobError(reply.error));
      };
      const onError = (error: Error): void => {
        if (settled) return;
        finish();
        reject(crashOf(this.options.name, error));
      };
      const onExit = (): void => {
        if (settled) return;
        finish();
        reject(new SandboxCrashedError(`${this.options.name} worker exited`, false));
      };
      const timer = setTimeout(
        () => kill(new SandboxTimeoutError(limit.timeoutMs)),
        limit.timeoutMs,
      );
      limit.signal.addEventListener('abort', onAbort, { once: true });
      thread.on('message', onMessage);
      thread.once('error', onError);
      thread.once('exit', onExit);
      thread.postMessage({ type: 'job', input });
    });
  }

  /** Terminates the idle threads; later jobs still work (each gets a fresh thread). */
  async close(): Promise<void> {
    this.closed = true;
    const idle = this.idle.splice(0);
    await Promise.all(idle.map((w) => w.thread.terminate()));
  }

  private release(worker: PooledWorker, recycle: boolean): void {
    const keep =
      !recycle &&
      !this.closed &&
      worker.jobs < this.options.maxJobsPerWorker &&
      this.idle.length < this.options.maxIdle;
    if (!keep) {
      void worker.thread.terminate();
      return;
    }
    this.idle.push(worker);
  }

  private spawn(signal: AbortSignal): Promise<PooledWorker> {
    return new Promise<PooledWorker>((resolve, reject) => {
      const thread = new Worker(this.source, {
        eval: true,
        workerData: this.options.data,
        ...(this.options.resourceLimits ? { resourceLimits: this.options.resourceLimits } : {}),
        // The gateway's own flags (an inspector, --require hooks) are not the sandbox's.
        execArgv: [],
      });
      // Idle or busy, a sandbox thread never keeps the process alive by itself.
      thread.unref();
      const done = (): void => {
        signal.removeEventListener('abort', onAbort);
        thread.off('message', onMessage);
        thread.off('error', onError);
        thread.off('exit', onExit);
      };
      const onMessage = (reply: WorkerReply<TOutput>): void => {
        if (reply.type !== 'ready') return;
        done();
        const worker: PooledWorker = { thread, jobs: 0 };
        // A thread that dies while idle is simply forgotten.
        thread.once('exit', () => {
          const at = this.idle.indexOf(worker);
          if (at !== -1) this.idle.splice(at, 1);
        });
        resolve(worker);
      };
      const onError = (error: Error): void => {
        done();
        reject(crashOf(this.options.name, error));
      };
      const onExit = (): void => {
        done();
        reject(new SandboxCrashedError(`${this.options.name} worker exited while loading`, false));
      };
      const onAbort = (): void => {
        done();
        void thread.terminate();
        reject(signal.reason);
      };
      thread.on('message', onMessage);
      thread.once('error', onError);
      thread.once('exit', onExit);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

function crashOf(name: string, error: Error): SandboxCrashedError {
  const code = (error as { code?: string }).code;
  const outOfMemory = code === 'ERR_WORKER_OUT_OF_MEMORY';
  return new SandboxCrashedError(
    outOfMemory ? `${name} worker ran out of memory` : `${name} worker failed: ${error.message}`,
    outOfMemory,
  );
}
