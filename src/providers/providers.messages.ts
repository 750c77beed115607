import type { ReplicaState } from './replica';

/** Log lines of the providers module, so specs assert on the words operators read. */
export const ProvidersMessages = {
  stateChanged: (
    pool: string,
    upstream: string,
    from: ReplicaState,
    to: ReplicaState,
    reason: string,
  ) => `Upstream ${upstream} of pool ${pool}: ${from} -> ${to} (${reason})`,
  streamingRefused: (upstream: string) =>
    `Upstream ${upstream} refused to stream: streamed requests to it are answered from non-streamed calls; set \`streaming: false\` on its pool to skip the refused attempt`,
  poolsStarted: (pools: number, replicas: number) =>
    `Watching ${replicas} upstream replica${replicas === 1 ? '' : 's'} in ${pools} pool${pools === 1 ? '' : 's'}`,
} as const;
