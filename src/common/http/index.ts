export {
  clientAbortSignal,
  ClientClosedError,
  isClientClosed,
  offAbort,
  onAbort,
  type AbortListener,
} from './client-abort';
export { requestIdOf } from './request-id';
