export { clientAbortSignal, ClientClosedError, isClientClosed } from './client-abort';
export { requestIdOf } from './request-id';
