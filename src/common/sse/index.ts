export { FlowGate } from './flow-gate';
export { LineTooLongError } from './line-splitter';
export { SseParser, type SseEventHandler } from './sse-parser';
export {
  UpstreamStreamDecoder,
  type UpstreamFraming,
  type UpstreamStreamHandlers,
} from './stream-decoder';
export { SseResponseWriter, type SseWriterOptions, type SseWriterOwner } from './sse-writer';
export { HeartbeatWheel, type HeartbeatMember } from './heartbeat-wheel';
export { replyWithSse, type SseEvent, type SseReplyOptions } from './sse-reply';
export { SseMessages } from './sse.messages';
