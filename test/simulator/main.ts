/**
 * CLI of the simulator (compiled by `npx tsc -p tsconfig.tools.json` into `.tools/`):
 *
 *   node .tools/test/simulator/main.js --port 8001 --model sim-instant [--name instant]
 *     [--reasoning reasoning_content] [--token-interval-ms 20] [--tokens 32] [--ttft-ms 100]
 *     [--latency-ms 0] [--fail-rate 0.1] [--fail-status 503] [--mode normal] [--split-writes]
 *     [--context-window 32768] [--api-key KEY] [--host 127.0.0.1] [--log-limit 1000]
 *
 * Every behavior field is accepted as a kebab-case flag. Prints one line once listening and exits
 * cleanly on SIGINT/SIGTERM.
 */
import { DEFAULT_BEHAVIOR, pickBehavior, startSimulator, type SimulatorOptions } from './simulator';

const USAGE =
  'usage: main.js --model ID [--port N] [--host H] [--name LABEL] [--api-key KEY] [--log-limit N] ' +
  '[--context-window N] [--<behavior-field-in-kebab-case> VALUE ...]';

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

export function parseArgs(argv: string[]): SimulatorOptions {
  const opts: Partial<SimulatorOptions> = {};
  const behavior: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') throw new Error(USAGE);
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}\n${USAGE}`);
    let key = arg.slice(2);
    let value: string | undefined;
    const eq = key.indexOf('=');
    if (eq >= 0) {
      value = key.slice(eq + 1);
      key = key.slice(0, eq);
    }
    const name = camel(key);
    const isBool = name === 'splitWrites' || name === 'refuseStream';
    if (value === undefined) {
      const next = argv[i + 1];
      if (isBool && (next === undefined || next.startsWith('--'))) value = 'true';
      else if (next === undefined) throw new Error(`--${key} needs a value\n${USAGE}`);
      else value = argv[++i];
    }
    switch (name) {
      case 'port':
      case 'logLimit':
      case 'contextWindow': {
        const n = Number(value);
        if (!Number.isFinite(n)) throw new Error(`--${key} must be a number, got ${value}`);
        (opts as Record<string, unknown>)[name] = n;
        break;
      }
      case 'model':
      case 'host':
      case 'name':
      case 'apiKey':
        (opts as Record<string, unknown>)[name] = value;
        break;
      default: {
        if (!(name in DEFAULT_BEHAVIOR)) throw new Error(`unknown option --${key}\n${USAGE}`);
        const raw = isBool
          ? value === 'true' || value === '1'
          : name === 'mode' || name === 'reasoning' || name === 'metrics' || name === 'flavor'
            ? value
            : Number(value);
        const picked = pickBehavior({ [name]: raw });
        if (!(name in picked)) throw new Error(`invalid value for --${key}: ${value}`);
        behavior[name] = raw;
      }
    }
  }
  if (!opts.model) throw new Error(`--model is required\n${USAGE}`);
  return { ...(opts as SimulatorOptions), behavior: pickBehavior(behavior) };
}

async function main(): Promise<void> {
  let opts: SimulatorOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  const sim = await startSimulator(opts);
  console.log(`simulator ${sim.name} listening on ${sim.url} (model ${sim.model})`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    sim.close().then(
      () => process.exit(0),
      () => process.exit(0),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(`simulator failed to start: ${(err as Error)?.message ?? err}`);
    process.exit(1);
  });
}
