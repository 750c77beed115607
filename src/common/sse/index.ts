export { SseParser, type SseEventHandler } from './sse-parser';
export {
  UpstreamStreamDecoder,
  type UpstreamFraming,
  type UpstreamStreamHandlers,
} from './stream-decoder';
export { DemandGate, SseResponseWriter, type SseWriterOptions } from './sse-writer';
export { replyWithSse, type SseReplyOptions } from './sse-reply';
export { SseMessages } from './sse.messages';
