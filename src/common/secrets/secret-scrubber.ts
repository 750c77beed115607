/** What a configured secret is replaced with in a relayed message. */
export const REDACTED = '[redacted]';

/**
 * Secrets shorter than this are not scrubbed: replacing every `abc` in a message would garble
 * it and hide nothing (no upstream or client key is that short).
 */
const MIN_SECRET_LENGTH = 6;

/**
 * Removes configured secrets (upstream API keys, client keys) from text that came from outside
 * the gateway (an upstream's error message, a tool's error) before a caller or a model reads it
 * (docs/api.md §6). Built once from every secret; one pass of one regular expression per message.
 *
 * @example
 * const scrubber = new SecretScrubber(['sk-upstream-1234']);
 * scrubber.scrub('bad header: Bearer sk-upstream-1234'); // 'bad header: Bearer [redacted]'
 */
export class SecretScrubber {
  private readonly pattern: RegExp | undefined;
  private readonly list: readonly string[];

  constructor(secrets: Iterable<string | undefined>) {
    const unique = new Set<string>();
    for (const secret of secrets) {
      const text = secret?.trim();
      if (text !== undefined && text.length >= MIN_SECRET_LENGTH) unique.add(text);
    }
    // Longest first, so a secret that contains another is removed whole.
    this.list = [...unique].sort((a, b) => b.length - a.length);
    this.pattern =
      this.list.length === 0 ? undefined : new RegExp(this.list.map(escapeRegExp).join('|'), 'g');
  }

  /** How many distinct secrets it removes. */
  get size(): number {
    return this.list.length;
  }

  scrub(text: string): string {
    const pattern = this.pattern;
    return pattern === undefined ? text : text.replace(pattern, REDACTED);
  }

  /** The secrets of every scrubber together. */
  static union(...scrubbers: readonly SecretScrubber[]): SecretScrubber {
    return new SecretScrubber(scrubbers.flatMap((s) => s.list));
  }
}

let installed = new SecretScrubber([]);

/**
 * Adds `secrets` to the process's scrubber (called once at boot with the configuration's
 * secrets). Additive: several applications in one process (tests) each keep theirs scrubbed.
 */
export function installSecrets(secrets: Iterable<string | undefined>): void {
  installed = SecretScrubber.union(installed, new SecretScrubber(secrets));
}

/** `text` without any configured secret: for every message relayed from an upstream or a tool. */
export function scrubSecrets(text: string): string {
  return installed.scrub(text);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}
