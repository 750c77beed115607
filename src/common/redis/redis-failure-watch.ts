/** Where a store's Redis trouble is told: once when it starts, once when it ends. */
export interface RedisFailureLog {
  warn(message: string): void;
  log(message: string): void;
}

/**
 * Runs a store's Redis commands and remembers whether the last one failed: the first failure
 * is logged (not every one of a burst), and so is the recovery. Shared by the stores that keep
 * per-key state in Redis (limits, spend).
 */
export class RedisFailureWatch {
  /** The last failure's reason while Redis is failing, else undefined. */
  failure: string | undefined;

  constructor(
    private readonly logger: RedisFailureLog,
    private readonly messages: { failing(reason: string): string; recovered(): string },
  ) {}

  async run<T>(command: () => Promise<T>): Promise<T> {
    try {
      const result = await command();
      this.recovered();
      return result;
    } catch (error) {
      this.failed(error);
      throw error;
    }
  }

  /** A command or the connection failed: logged when it is the first of a burst. */
  failed(error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    if (this.failure === undefined) this.logger.warn(this.messages.failing(reason));
    this.failure = reason;
  }

  /** A command or the connection worked again: logged once after a failure. */
  recovered(): void {
    if (this.failure === undefined) return;
    this.failure = undefined;
    this.logger.log(this.messages.recovered());
  }
}
