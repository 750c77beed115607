/* istanbul ignore file -- serialised into a worker thread, where coverage counters do not exist */
import type * as MathJs from 'mathjs';
import type * as WorkerThreads from 'node:worker_threads';

export interface CalculatorWorkerData {
  /** Absolute path of the `mathjs` package (the worker has no resolution context of its own). */
  mathjsPath: string;
}

export interface CalculatorJob {
  expression: string;
}

export interface CalculatorAnswer {
  result: string;
}

/**
 * The calculator's worker body (see `WorkerSandbox`): a mathjs instance with BigNumber
 * arithmetic (64 significant digits, so `0.1 + 0.2` is `0.3`) whose expression scope cannot
 * change the instance or reach the parser: `import`, `createUnit`, `evaluate`, `parse`,
 * `compile`, `simplify`, `derivative`, `resolve` and friends throw (mathjs's own security
 * advice); those names, `config`, and function definitions are refused before evaluation. Runaway
 * computations (`gamma(1e9)`) are stopped from outside, by terminating the thread.
 *
 * Self-contained on purpose: it runs from its source text.
 */
export function calculatorWorkerMain(
  load: (id: string) => unknown,
  data: CalculatorWorkerData,
): void {
  const { parentPort } = load('node:worker_threads') as typeof WorkerThreads;
  const mathjs = load(data.mathjsPath) as typeof MathJs;
  const math = mathjs.create(mathjs.all, { number: 'BigNumber', precision: 64 });
  const parse = math.parse.bind(math);
  const format = math.format.bind(math);
  const blocked = [
    'import',
    'createUnit',
    'evaluate',
    'parse',
    'compile',
    'parser',
    'simplify',
    'simplifyConstant',
    'simplifyCore',
    'derivative',
    'resolve',
    'rationalize',
    'symbolicEqual',
    'leafCount',
    'reviver',
    'replacer',
    'chain',
    'help',
  ];
  // `config` cannot be overridden (the instance's factories read it), so the parse tree is
  // checked for it along with the rest.
  const refused = new Set([...blocked, 'config', 'typed']);
  const overrides: Record<string, () => never> = {};
  for (const name of blocked) {
    overrides[name] = () => {
      throw new Error(`${name}() is not available in the calculator.`);
    };
  }
  math.import(overrides, { override: true });
  const port = parentPort as WorkerThreads.MessagePort;

  port.on('message', (message: { type: string; input: CalculatorJob }) => {
    if (message.type !== 'job') return;
    try {
      const node = parse(message.input.expression);
      node.traverse((child) => {
        if (child.type === 'FunctionAssignmentNode') {
          throw new Error('Function definitions are not allowed; write the expression directly.');
        }
        const name = (child as { name?: unknown }).name;
        if (child.type === 'SymbolNode' && typeof name === 'string' && refused.has(name)) {
          throw new Error(`${name}() is not available in the calculator.`);
        }
      });
      let value: unknown = node.compile().evaluate(new Map());
      const set = value as { isResultSet?: boolean; entries?: unknown[] } | null;
      if (set && set.isResultSet === true && Array.isArray(set.entries)) {
        value = set.entries[set.entries.length - 1];
      }
      if (value === undefined) throw new Error('The expression has no value.');
      if (typeof value === 'function') {
        throw new Error('The expression is a function; call it with arguments, e.g. sqrt(2).');
      }
      const result = format(value, { precision: 32, lowerExp: -12, upperExp: 32 });
      port.postMessage({ type: 'result', ok: true, value: { result } });
    } catch (error) {
      port.postMessage({
        type: 'result',
        ok: false,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  });
  port.postMessage({ type: 'ready' });
}
