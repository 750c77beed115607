export { RedisFailureWatch, type RedisFailureLog } from './redis-failure-watch';
