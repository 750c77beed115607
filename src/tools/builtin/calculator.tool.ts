import { Inject, type OnApplicationShutdown } from '@nestjs/common';
import { GatewayTool } from '../gateway-tool.decorator';
import type { ToolContext, ToolResult } from '../gateway-tool.interface';
import { SandboxBusyError, type SandboxSlots } from '../sandbox/sandbox-slots';
import { SandboxCrashedError, SandboxTimeoutError, WorkerSandbox } from '../sandbox/worker-sandbox';
import { TOOLS_CONFIG, type ToolsSlice } from '../tools.config';
import { SANDBOX_SLOTS } from '../tools.constants';
import {
  calculatorWorkerMain,
  type CalculatorAnswer,
  type CalculatorJob,
  type CalculatorWorkerData,
} from './calculator.worker';
import { BuiltinToolMessages } from './builtin-tools.messages';

export interface CalculatorArgs {
  expression: string;
}

/** Longest accepted expression; arithmetic a model needs fits easily. */
export const MAX_EXPRESSION_LENGTH = 1000;
/** Wall-clock budget of one evaluation; the worker thread is terminated past it. */
export const CALCULATOR_TIME_LIMIT_MS = 2000;

/**
 * `calculator`: exact arithmetic and math expressions with mathjs (BigNumber, 64 digits), in a
 * restricted scope and a worker thread with a time and heap limit.
 */
@GatewayTool({
  name: 'calculator',
  description:
    'Evaluates a math expression exactly and returns the result. Supports arithmetic ' +
    '(0.1 + 0.2 = 0.3), powers, roots, trigonometry (sin(pi/4)), logarithms, factorials, ' +
    'matrices ([1,2;3,4] * 2, det, inv), complex numbers and unit conversion (12 km to mi). ' +
    'Use it instead of calculating in your head.',
  parameters: {
    type: 'object',
    properties: {
      expression: {
        type: 'string',
        minLength: 1,
        maxLength: MAX_EXPRESSION_LENGTH,
        description: 'A mathjs expression, e.g. "sqrt(2) * 3^4" or "5 inch to cm".',
      },
    },
    required: ['expression'],
    additionalProperties: false,
  },
})
export class CalculatorTool implements GatewayTool<CalculatorArgs>, OnApplicationShutdown {
  private readonly enabled: boolean;
  private readonly sandbox: WorkerSandbox<CalculatorJob, CalculatorAnswer, CalculatorWorkerData>;

  constructor(
    @Inject(TOOLS_CONFIG.token) config: ToolsSlice,
    @Inject(SANDBOX_SLOTS) slots: SandboxSlots,
  ) {
    this.enabled = config.tools.builtin.calculator.enabled;
    this.sandbox = new WorkerSandbox(
      {
        name: 'calculator',
        main: calculatorWorkerMain,
        data: { mathjsPath: require.resolve('mathjs') },
        resourceLimits: { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 32 },
        maxIdle: 2,
        maxJobsPerWorker: 1000,
      },
      slots,
    );
  }

  isEnabled(): boolean {
    return this.enabled;
  }

  async execute({ expression }: CalculatorArgs, { signal }: ToolContext): Promise<ToolResult> {
    try {
      const { result } = await this.sandbox.run(
        { expression },
        { timeoutMs: CALCULATOR_TIME_LIMIT_MS, signal },
      );
      return { expression, result };
    } catch (error) {
      if (error instanceof SandboxTimeoutError) {
        throw new Error(BuiltinToolMessages.calculationTooLong(CALCULATOR_TIME_LIMIT_MS));
      }
      if (error instanceof SandboxCrashedError && error.outOfMemory) {
        throw new Error(BuiltinToolMessages.calculationTooLarge());
      }
      if (error instanceof SandboxBusyError) {
        throw new Error(BuiltinToolMessages.sandboxBusy(error.ms));
      }
      throw error;
    }
  }

  // Not onModuleDestroy: Nest runs that before the shutdown drain, while requests still use us.
  onApplicationShutdown(): Promise<void> {
    return this.sandbox.close();
  }
}
