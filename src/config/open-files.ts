import { readFileSync } from 'node:fs';

/** Descriptors kept out of the client connections' share: files, the log, metrics, probes. */
const RESERVED_DESCRIPTORS = 256;
/** Where the process's open-file limit cannot be read (not Linux). */
const FALLBACK_CLIENT_CONNECTIONS = 4_096;

/** The soft `RLIMIT_NOFILE` of this process (`ulimit -n`), from Linux's `/proc/self/limits`. */
export function openFilesLimit(limits = '/proc/self/limits'): number | undefined {
  let text: string;
  try {
    text = readFileSync(limits, 'utf8');
  } catch {
    return undefined;
  }
  const soft = /^Max open files\s+(\S+)/m.exec(text)?.[1];
  if (soft === undefined) return undefined;
  return soft === 'unlimited' ? Number.POSITIVE_INFINITY : Number(soft) || undefined;
}

/**
 * `server.max_connections` when unset: as many client connections as the descriptors allow when
 * each holds an upstream connection too (a stream does), half the open-file limit less a
 * reserve; 4,096 where the limit cannot be read. At most `max`, at least 1.
 */
export function defaultMaxClientConnections(max: number, limit: number | undefined): number {
  if (limit === undefined) return Math.min(max, FALLBACK_CLIENT_CONNECTIONS);
  return Math.max(1, Math.min(max, Math.floor((limit - RESERVED_DESCRIPTORS) / 2)));
}
