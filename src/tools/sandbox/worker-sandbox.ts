import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { SandboxSlots } from './sandbox-slots';

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
  /** Set once the thread errored or exited; it is never handed a job again. */
  dead: boolean;
  /** Set once the sandbox asked the thread to stop; settles when it has. */
  stopping?: Promise<unknown>;
  /** Who hears the thread's replies and its death now: the loader or the running job. */
  listener?: {
    message: (reply: WorkerReply<unknown>) => void;
    death: (error: SandboxCrashedError) => void;
  };
}

/**
 * Runs jobs in `worker_threads` so that code which cannot be interrupted from the inside (a
 * mathjs evaluation, a WebAssembly interpreter) cannot hold the gateway's event loop: each job
 * has a wall-clock limit, and past it (or on abort) its thread is terminated, which stops even a
 * tight loop in WebAssembly. A job first takes a slot of the shared {@link SandboxSlots} (so all
 * sandboxes together run a bounded number of threads), then a loaded idle thread or a new one;
 * loaded threads are kept for reuse up to `maxIdle`.
 *
 * Every thread has its `error` and `exit` listeners from birth to death: a thread that runs out
 * of memory after its job was given up (a timeout, an abort), or while idle, is a thread to
 * forget, never an unhandled `error` event that ends the process (issue 13, finding 0).
 */
export class WorkerSandbox<TInput, TOutput, TData = unknown> {
  private readonly idle: PooledWorker[] = [];
  private readonly source: string;
  private closed = false;

  constructor(
    private readonly options: WorkerSandboxOptions<TData>,
    private readonly slots: SandboxSlots,
  ) {
    this.source =
      `'use strict';\n(${options.main.toString()})(require, ` +
      `require('node:worker_threads').workerData);\n`;
  }

  /**
   * Runs one job. The limit counts from the moment a loaded thread receives the job; waiting for
   * a slot is bounded by the pool's queue deadline, loading a new thread by `signal` only.
   *
   * @throws SandboxTimeoutError, SandboxCrashedError, SandboxJobError, SandboxBusyError, or the
   *   signal's reason.
   */
  async run(input: TInput, limit: { timeoutMs: number; signal: AbortSignal }): Promise<TOutput> {
    limit.signal.throwIfAborted();
    const release = await this.slots.acquire(limit.signal);
    // Known from the moment a thread exists, so a thread stopped while loading holds the slot.
    let worker: PooledWorker | undefined = this.takeIdle();
    try {
      worker ??= await this.spawn(limit.signal, (spawned) => (worker = spawned));
      return await this.runOn(worker, input, limit);
    } finally {
      // A thread being stopped still holds its memory: its slot frees once it is gone.
      const stopping = worker?.stopping;
      if (stopping) void stopping.then(release, release);
      else release();
    }
  }

  /** Terminates the idle threads; later jobs still work (each gets a fresh thread). */
  async close(): Promise<void> {
    this.closed = true;
    const idle = this.idle.splice(0);
    await Promise.all(idle.map((w) => this.stop(w)));
  }

  private runOn(
    worker: PooledWorker,
    input: TInput,
    limit: { timeoutMs: number; signal: AbortSignal },
  ): Promise<TOutput> {
    return new Promise<TOutput>((resolve, reject) => {
      let settled = false;
      const finish = (): void => {
        settled = true;
        clearTimeout(timer);
        limit.signal.removeEventListener('abort', onAbort);
        worker.listener = undefined;
      };
      const kill = (reason: unknown): void => {
        if (settled) return;
        finish();
        void this.stop(worker);
        reject(reason);
      };
      const onAbort = (): void => kill(limit.signal.reason);
      const timer = setTimeout(
        () => kill(new SandboxTimeoutError(limit.timeoutMs)),
        limit.timeoutMs,
      );
      worker.listener = {
        message: (reply) => {
          if (reply.type !== 'result' || settled) return;
          finish();
          worker.jobs++;
          this.release(worker, reply.recycle === true);
          if (reply.ok) resolve(reply.value as TOutput);
          else reject(new SandboxJobError(reply.error));
        },
        death: (error) => {
          if (settled) return;
          finish();
          reject(error);
        },
      };
      if (limit.signal.aborted) return onAbort();
      limit.signal.addEventListener('abort', onAbort, { once: true });
      worker.thread.postMessage({ type: 'job', input });
    });
  }

  private takeIdle(): PooledWorker | undefined {
    let worker = this.idle.pop();
    while (worker?.dead) worker = this.idle.pop();
    return worker;
  }

  private release(worker: PooledWorker, recycle: boolean): void {
    const keep =
      !recycle &&
      !worker.dead &&
      !this.closed &&
      worker.jobs < this.options.maxJobsPerWorker &&
      this.idle.length < this.options.maxIdle;
    if (!keep) {
      void this.stop(worker);
      return;
    }
    this.idle.push(worker);
  }

  /** Asks the thread to stop; resolves once it has (never rejects). */
  private stop(worker: PooledWorker): Promise<unknown> {
    worker.stopping ??= worker.thread.terminate().catch(() => undefined);
    return worker.stopping;
  }

  private spawn(signal: AbortSignal, born: (worker: PooledWorker) => void): Promise<PooledWorker> {
    const thread = new Worker(this.source, {
      eval: true,
      workerData: this.options.data,
      ...(this.options.resourceLimits ? { resourceLimits: this.options.resourceLimits } : {}),
      // The gateway's own flags (an inspector, --require hooks) are not the sandbox's.
      execArgv: [],
    });
    // Idle or busy, a sandbox thread never keeps the process alive by itself.
    thread.unref();
    const worker: PooledWorker = { thread, jobs: 0, dead: false };
    born(worker);
    const die = (error: SandboxCrashedError): void => {
      if (worker.dead) return;
      worker.dead = true;
      const at = this.idle.indexOf(worker);
      if (at !== -1) this.idle.splice(at, 1);
      const listener = worker.listener;
      worker.listener = undefined;
      listener?.death(error);
    };
    // For the thread's whole life, whoever (if anyone) waits on it.
    thread.on('error', (error: Error) => die(crashOf(this.options.name, error)));
    thread.on('exit', () =>
      die(new SandboxCrashedError(`${this.options.name} worker exited`, false)),
    );
    thread.on('message', (reply: WorkerReply<unknown>) => worker.listener?.message(reply));
    return new Promise<PooledWorker>((resolve, reject) => {
      const done = (): void => {
        signal.removeEventListener('abort', onAbort);
        worker.listener = undefined;
      };
      const onAbort = (): void => {
        done();
        void this.stop(worker);
        reject(signal.reason);
      };
      worker.listener = {
        message: (reply) => {
          if (reply.type !== 'ready') return;
          done();
          resolve(worker);
        },
        death: (error) => {
          done();
          reject(error);
        },
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
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
