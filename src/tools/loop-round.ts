import type { ChatCompletionRequest, ToolCall, Usage } from '../common/openai';
import type { LoopCompletion, LoopModel } from './tool-loop.interface';

/** What the loop needs of one model call, streamed or not. */
export interface Round {
  content: string | null;
  toolCalls: ToolCall[];
  finishReason: string | null;
  usage?: Usage | null;
  /** Non-streaming rounds: the completion itself, answered as received when it is the last. */
  completion?: LoopCompletion;
  /** Some call came without an id (or type) and got one: the answer is serialised again. */
  callsCompleted?: boolean;
}

export type CallRound = (
  body: ChatCompletionRequest,
  model: LoopModel,
  signal: AbortSignal,
) => Promise<Round>;

/** How a loop ended: the last round and what the caller is told. */
export interface LoopOutcome {
  round: Round;
  /** The `tool_calls` answered to the caller (handed back, or cut off); empty for a text answer. */
  answerCalls: ToolCall[];
  finishReason: string;
  /** Server-side calls of the forced final round were dropped from the answer. */
  droppedCalls: boolean;
  usage: Usage | undefined;
  rounds: number;
  /** Model calls made, the last included: with one, the answer's usage is its own. */
  modelCalls: number;
  model: LoopModel;
}
