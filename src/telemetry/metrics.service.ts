import { Injectable } from '@nestjs/common';
import { Counter, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The gateway's Prometheus registry, one per application (not prom-client's global one, so
 * several apps in one process, as in the e2e tests, do not collide). Feature modules register
 * their own instruments here.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  /** Routing decisions by tier and deciding step (the reason without its score). */
  readonly routeDecisions = new Counter({
    name: 'tiergate_route_decisions_total',
    help: 'Routing decisions by tier and by the step that decided (model, alias, hint, classifier, default, fallback, context).',
    labelNames: ['tier', 'reason'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'tiergate_' });
  }

  /** Counts a decision; the score is dropped from the reason to keep label cardinality bounded. */
  countDecision(tier: string, reason: string): void {
    this.routeDecisions.inc({ tier, reason: reasonStep(reason) });
  }

  contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}

/** `classifier:learned:0.91` → `classifier:learned`; other reasons are already bounded. */
export function reasonStep(reason: string): string {
  const last = reason.lastIndexOf(':');
  if (last === -1) return reason;
  const tail = reason.slice(last + 1);
  return tail !== '' && !Number.isNaN(Number(tail)) ? reason.slice(0, last) : reason;
}
