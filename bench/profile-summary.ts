/**
 * Summarises a V8 `.cpuprofile` (written by `node --cpu-prof`): the top functions by self time,
 * and self and inclusive time per package (undici, fastify, @nestjs/core, class-validator, …),
 * with JSON.parse / JSON.stringify and the garbage collector called out.
 *
 *   node .tools/bench/profile-summary.js <file.cpuprofile> [--top 25] [--callers] [--from µs --to µs]
 *
 * `--from`/`--to` keep only the samples taken in that window of the monotonic clock (the clock
 * of `process.hrtime.bigint()` and of the profile's timestamps on Linux), so a bench can leave
 * out start-up and warm-up.
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionRow {
  name: string;
  category: string;
  location: string;
  selfMs: number;
  /** Of busy time (everything but idle). */
  selfPercent: number;
  /** The callers that account for most of the self time, e.g. who calls `writev`. */
  callers: { name: string; location: string; percent: number }[];
}

export interface CategoryRow {
  category: string;
  ms: number;
  percent: number;
}

export interface ProfileSummary {
  file: string;
  /** Wall time covered by the kept samples. */
  sampledMs: number;
  busyMs: number;
  idleMs: number;
  samples: number;
  window?: { fromUs: number; toUs: number };
  top: FunctionRow[];
  selfByCategory: CategoryRow[];
  /** Share of busy time with at least one frame of the category on the stack. */
  inclusiveByCategory: CategoryRow[];
}

export interface SummaryOptions {
  top?: number;
  /** Keep samples in [fromUs, toUs] only (monotonic clock, µs). */
  window?: { fromUs: number; toUs: number };
}

const META = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

/** The package or area a frame belongs to, from its script URL. */
export function categoryOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (url === '') {
    if (META.has(functionName)) return functionName;
    if (functionName === 'parse' || functionName === 'stringify') return 'JSON';
    return '(native)';
  }
  const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) {
    const name = url.slice(5).replace(/^internal\//, '');
    if (/^_?http|^internal\/http|^http/.test(name)) return 'node:http';
    if (name.startsWith('streams/') || name === 'stream') return 'node:streams';
    if (name.startsWith('timers') || name === 'timers') return 'node:timers';
    if (name === 'net' || name.startsWith('stream_base') || name.startsWith('net'))
      return 'node:net';
    return `node:${name.split('/')[0]}`;
  }
  // llhttp, undici's HTTP parser, is the only WebAssembly in the gateway.
  if (url.startsWith('wasm://')) return 'undici';
  const dist = /\/(?:dist|\.tools\/src)\/(?:([^/]+)\/(?:([^/]+)\/)?)?[^/]+\.js$/.exec(url);
  if (dist) {
    if (!dist[1]) return 'tiergate:app';
    return `tiergate:${dist[1]}${dist[1] === 'common' && dist[2] ? `/${dist[2]}` : ''}`;
  }
  return 'other';
}

function locationOf(frame: CallFrame): string {
  if (frame.url === '') return '(native)';
  const short = frame.url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, '')
    .replace(/^.*\/(dist|\.tools)\//, '$1/');
  return `${short}:${frame.lineNumber + 1}`;
}

export function summariseProfile(file: string, options: SummaryOptions = {}): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }

  // Sample i lasts until sample i + 1.
  const n = profile.samples.length;
  const stamps = new Float64Array(n);
  let t = profile.startTime;
  for (let i = 0; i < n; i++) {
    t += profile.timeDeltas[i];
    stamps[i] = t;
  }

  const selfByFrame = new Map<
    string,
    { frame: CallFrame; us: number; callers: Map<number, number> }
  >();
  const selfByCat = new Map<string, number>();
  const inclByCat = new Map<string, number>();
  const categoriesOfNode = new Map<number, Set<string>>();
  let busy = 0;
  let idle = 0;
  let kept = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const from = stamps[i];
    const to = i + 1 < n ? stamps[i + 1] : profile.endTime;
    if (options.window && (from < options.window.fromUs || from > options.window.toUs)) continue;
    const us = Math.max(0, to - from);
    const node = byId.get(profile.samples[i]);
    if (!node) continue;
    kept++;
    total += us;
    if (node.callFrame.functionName === '(idle)') {
      idle += us;
      continue;
    }
    busy += us;
    const frame = node.callFrame;
    const key = frameKey(frame);
    const row = selfByFrame.get(key) ?? { frame, us: 0, callers: new Map<number, number>() };
    row.us += us;
    const up = parent.get(node.id);
    if (up !== undefined) row.callers.set(up, (row.callers.get(up) ?? 0) + us);
    selfByFrame.set(key, row);
    const cat = categoryOf(frame);
    selfByCat.set(cat, (selfByCat.get(cat) ?? 0) + us);
    for (const c of stackCategories(node.id, byId, parent, categoriesOfNode)) {
      inclByCat.set(c, (inclByCat.get(c) ?? 0) + us);
    }
  }

  const pct = (us: number): number => (busy > 0 ? (us / busy) * 100 : 0);
  const rows = (m: Map<string, number>): CategoryRow[] =>
    [...m.entries()]
      .map(([category, us]) => ({ category, ms: us / 1000, percent: pct(us) }))
      .sort((a, b) => b.ms - a.ms);
  return {
    file,
    sampledMs: total / 1000,
    busyMs: busy / 1000,
    idleMs: idle / 1000,
    samples: kept,
    window: options.window,
    top: [...selfByFrame.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, options.top ?? 25)
      .map(({ frame, us, callers }) => ({
        name: frame.functionName || '(anonymous)',
        category: categoryOf(frame),
        location: locationOf(frame),
        selfMs: us / 1000,
        selfPercent: pct(us),
        callers: topCallers(callers, byId, us),
      })),
    selfByCategory: rows(selfByCat),
    inclusiveByCategory: rows(inclByCat),
  };
}

function frameKey(frame: CallFrame): string {
  return `${frame.functionName}\u0000${frame.url}\u0000${frame.lineNumber}\u0000${frame.columnNumber}`;
}

/** The two caller frames (merged across call sites) with the most of a function's self time. */
function topCallers(
  callers: Map<number, number>,
  byId: Map<number, ProfileNode>,
  total: number,
): FunctionRow['callers'] {
  const merged = new Map<string, { frame: CallFrame; us: number }>();
  for (const [id, us] of callers) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const key = frameKey(frame);
    const entry = merged.get(key) ?? { frame, us: 0 };
    entry.us += us;
    merged.set(key, entry);
  }
  return [...merged.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, 2)
    .map(({ frame, us }) => ({
      name: frame.functionName || '(anonymous)',
      location: locationOf(frame),
      percent: total > 0 ? (us / total) * 100 : 0,
    }));
}

/** The categories on the stack from the root to `id`, memoised per node. */
function stackCategories(
  id: number,
  byId: Map<number, ProfileNode>,
  parent: Map<number, number>,
  memo: Map<number, Set<string>>,
): Set<string> {
  const cached = memo.get(id);
  if (cached) return cached;
  const up = parent.get(id);
  const set = new Set(up === undefined ? [] : stackCategories(up, byId, parent, memo));
  const node = byId.get(id);
  if (node && node.callFrame.functionName !== '(root)') set.add(categoryOf(node.callFrame));
  memo.set(id, set);
  return set;
}

export function formatProfileSummary(
  summary: ProfileSummary,
  top = 20,
  options: { callers?: boolean } = {},
): string {
  const f1 = (v: number): string => v.toFixed(1);
  const lines: string[] = [];
  const busyShare = summary.sampledMs > 0 ? (summary.busyMs / summary.sampledMs) * 100 : 0;
  lines.push(
    `profile ${summary.file}`,
    `  ${summary.samples} samples over ${f1(summary.sampledMs)} ms` +
      (summary.window ? ' (measured window only)' : '') +
      `; busy ${f1(summary.busyMs)} ms (${f1(busyShare)} %), idle ${f1(summary.idleMs)} ms`,
    '',
    `  top ${top} functions by self time (% of busy time)`,
  );
  const width = Math.min(48, Math.max(...summary.top.slice(0, top).map((r) => r.name.length), 8));
  for (const row of summary.top.slice(0, top)) {
    lines.push(
      `  ${f1(row.selfPercent).padStart(5)} %  ${row.name.slice(0, width).padEnd(width)}  ${row.location}`,
    );
    if (options.callers) {
      const from = row.callers
        .map((c) => `${c.name} ${c.location} (${c.percent.toFixed(0)} %)`)
        .join(', ');
      if (from) lines.push(`           ${' '.repeat(width)}  ← ${from}`);
    }
  }
  lines.push('', '  by package: self % | inclusive % (on the stack)');
  const incl = new Map(summary.inclusiveByCategory.map((r) => [r.category, r.percent]));
  for (const row of summary.selfByCategory.slice(0, 24)) {
    lines.push(
      `  ${f1(row.percent).padStart(5)} % | ${f1(incl.get(row.category) ?? 0).padStart(5)} %  ${row.category}`,
    );
  }
  return lines.join('\n');
}

function main(argv: string[]): void {
  const files: string[] = [];
  let top = 25;
  let callers = false;
  let fromUs: number | undefined;
  let toUs: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--top') top = Number(argv[++i]);
    else if (arg === '--from') fromUs = Number(argv[++i]);
    else if (arg === '--to') toUs = Number(argv[++i]);
    else if (arg === '--callers') callers = true;
    else files.push(arg);
  }
  if (files.length === 0) {
    console.error(
      'usage: profile-summary.js <file.cpuprofile> [--top N] [--callers] [--from µs --to µs]',
    );
    process.exit(2);
  }
  const window = fromUs !== undefined && toUs !== undefined ? { fromUs, toUs } : undefined;
  for (const file of files) {
    console.log(formatProfileSummary(summariseProfile(file, { top, window }), top, { callers }));
  }
}

if (require.main === module) main(process.argv.slice(2));
