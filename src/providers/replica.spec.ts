import type { HealthCheckConfig, OutlierConfig } from '../config';
import { Replica, type ReplicaState, type ReplicaTransport } from './replica';

const outlier: OutlierConfig = { consecutiveFailures: 2, ejectionMs: 100, maxEjectionMs: 300 };
const healthCheck: HealthCheckConfig = {
  enabled: true,
  path: '/health',
  intervalMs: 1000,
  timeoutMs: 100,
  healthyThreshold: 2,
  unhealthyThreshold: 3,
  verifyIntervalMs: 0,
};

function replica(): { r: Replica; log: string[] } {
  const log: string[] = [];
  const r = new Replica(
    0,
    'http://a/v1',
    1,
    {} as ReplicaTransport,
    { outlier, healthCheck },
    (_r, from: ReplicaState, to: ReplicaState) => log.push(`${from}->${to}`),
  );
  return { r, log };
}

describe('Replica state', () => {
  it('active checks: unhealthy after unhealthy_threshold failures in a row, healthy after healthy_threshold successes', () => {
    const { r, log } = replica();
    r.recordCheck(false, 'ECONNREFUSED');
    r.recordCheck(true);
    r.recordCheck(false);
    r.recordCheck(false);
    expect(r.state).toBe('healthy');
    r.recordCheck(false, 'HTTP 503');
    expect(r.state).toBe('unhealthy');
    expect(r.selectable(0)).toBe(false);
    expect(r.serving).toBe(false);
    r.recordCheck(true);
    expect(r.state).toBe('unhealthy');
    r.recordCheck(true);
    expect(log).toEqual(['healthy->unhealthy', 'unhealthy->healthy']);
  });

  it('ejection doubles on each failed trial, up to max_ejection_ms, and resets on success', () => {
    const { r, log } = replica();
    r.recordFailure(0, 'timeout');
    r.recordFailure(0, 'timeout');
    expect(r.state).toBe('ejected');
    expect(r.selectable(99)).toBe(false);
    expect(r.selectable(100)).toBe(true);
    expect(r.state).toBe('half-open');
    // One trial at a time.
    expect(r.begin()).toBe(true);
    expect(r.selectable(100)).toBe(false);
    r.recordFailure(100, 'timeout');
    r.end(true);
    expect(r.selectable(299)).toBe(false);
    expect(r.selectable(300)).toBe(true);
    r.recordFailure(300, 'timeout');
    expect(r.selectable(599)).toBe(false);
    r.tick(600);
    r.recordFailure(600, 'timeout');
    expect(r.selectable(899)).toBe(false);
    expect(r.selectable(900)).toBe(true);
    r.recordSuccess();
    expect(r.state).toBe('healthy');
    r.recordFailure(1000, 'x');
    r.recordFailure(1000, 'x');
    expect(r.selectable(1100)).toBe(true);
    expect(log.filter((l) => l === 'healthy->ejected')).toHaveLength(2);
  });

  it('an unhealthy replica with an open circuit comes back ejected, not healthy', () => {
    const { r } = replica();
    r.recordFailure(0, 'connection');
    r.recordFailure(0, 'connection');
    for (let i = 0; i < 3; i++) r.recordCheck(false);
    expect(r.state).toBe('unhealthy');
    r.recordCheck(true);
    r.recordCheck(true);
    expect(r.state).toBe('ejected');
  });
});

describe('Replica: a refused connection', () => {
  it('takes the replica out at once; active checks bring it back after healthy_threshold passes', () => {
    const { r, log } = replica();
    r.recordDown(0, 'refused');
    expect(r.state).toBe('unhealthy');
    expect(r.serving).toBe(false);
    r.recordCheck(true);
    expect(r.state).toBe('unhealthy');
    r.recordCheck(true);
    expect(r.state).toBe('healthy');
    expect(log).toEqual(['healthy->unhealthy', 'unhealthy->healthy']);
  });

  it('without active checks, opens the circuit at once for the ejection time', () => {
    const log: string[] = [];
    const r = new Replica(
      0,
      'http://a/v1',
      1,
      {} as ReplicaTransport,
      { outlier, healthCheck: { ...healthCheck, enabled: false } },
      (_r, from: ReplicaState, to: ReplicaState) => log.push(`${from}->${to}`),
    );
    r.recordDown(1000, 'refused');
    expect(r.state).toBe('ejected');
    expect(r.availableAt(1000)).toBe(1100);
    expect(r.selectable(1050)).toBe(false);
    expect(r.selectable(1100)).toBe(true);
    expect(log).toEqual(['healthy->ejected', 'ejected->half-open']);
  });
});
