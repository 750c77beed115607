import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultMaxClientConnections, openFilesLimit } from './open-files';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            20000                40000                files
Max locked memory         8388608              8388608              bytes
`;

function limitsFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'limits-')), 'limits');
  writeFileSync(path, text);
  return path;
}

describe('openFilesLimit', () => {
  it('reads the soft limit', () => {
    expect(openFilesLimit(limitsFile(LIMITS))).toBe(20000);
  });

  it('reads unlimited as no bound', () => {
    const text = LIMITS.replace(/20000/, 'unlimited');
    expect(openFilesLimit(limitsFile(text))).toBe(Number.POSITIVE_INFINITY);
  });

  it('is unknown without the file or the line', () => {
    expect(openFilesLimit('/nonexistent/limits')).toBeUndefined();
    expect(openFilesLimit(limitsFile('Max cpu time unlimited\n'))).toBeUndefined();
  });
});

describe('defaultMaxClientConnections', () => {
  it('leaves half the descriptors beyond a reserve to client connections', () => {
    expect(defaultMaxClientConnections(1_000_000, 20000)).toBe(9872);
    expect(defaultMaxClientConnections(1_000_000, 1024)).toBe(384);
  });

  it('holds 5,000 open streams under the container’s limit (issue 17)', () => {
    expect(defaultMaxClientConnections(1_000_000, 20000)).toBeGreaterThanOrEqual(5000);
  });

  it('stays within the key’s bounds', () => {
    expect(defaultMaxClientConnections(1_000_000, Number.POSITIVE_INFINITY)).toBe(1_000_000);
    expect(defaultMaxClientConnections(1_000_000, 100)).toBe(1);
  });

  it('keeps 4,096 where the limit cannot be read', () => {
    expect(defaultMaxClientConnections(1_000_000, undefined)).toBe(4096);
  });
});
