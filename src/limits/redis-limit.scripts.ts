/*
 * The Lua scripts of the Redis limit store. Each runs atomically on the server, on the server's
 * clock (TIME), so replicas with skewed clocks still share one window. Per key name there are
 * two Redis keys, both declared in KEYS and sharing a hash tag (Redis Cluster safe):
 *
 *   <prefix>{<name>}:w  hash  idx (current minute), r0/r1 (requests of the previous/current
 *                             minute), t0/t1 (tokens of the same)
 *   <prefix>{<name>}:c  zset  concurrency leases: member = lease id, score = expiry (ms)
 */

/** Loads the hash and moves it on to the current minute (shared by the scripts below). */
const LOAD = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local windowMs = tonumber(ARGV[1])
local idx = math.floor(now / windowMs)
local saved = redis.call('HMGET', KEYS[1], 'idx', 'r0', 'r1', 't0', 't1')
local sidx = tonumber(saved[1])
local r0, r1, t0, t1 = 0, 0, 0, 0
if sidx ~= nil then
  if sidx > idx then idx = sidx end
  if sidx == idx then
    r0, r1, t0, t1 = tonumber(saved[2]) or 0, tonumber(saved[3]) or 0, tonumber(saved[4]) or 0, tonumber(saved[5]) or 0
  elseif sidx == idx - 1 then
    r0, t0 = tonumber(saved[3]) or 0, tonumber(saved[5]) or 0
  end
end
local elapsed = now - idx * windowMs
if elapsed < 0 then elapsed = 0 end
if elapsed > windowMs then elapsed = windowMs end
`;

/**
 * Check-and-reserve. ARGV: window ms, rpm, tpm, concurrency (0 = unlimited), tokens, lease id,
 * lease TTL ms. Returns { refused limit or '', idx, elapsed, r0, r1, t0, t1, in flight }.
 */
export const ADMIT_SCRIPT = `${LOAD}
local rpm, tpm, cc = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local tokens, ttl = tonumber(ARGV[5]), tonumber(ARGV[7])
local weight = (windowMs - elapsed) / windowMs
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local inflight = redis.call('ZCARD', KEYS[2])
local refused = ''
if rpm > 0 and r0 * weight + r1 + 1 > rpm then
  refused = 'rpm'
elseif tpm > 0 and t0 * weight + t1 + tokens > tpm then
  refused = 'tpm'
elseif cc > 0 and inflight >= cc then
  refused = 'concurrency'
end
if refused == '' then
  r1 = r1 + 1
  t1 = t1 + tokens
  redis.call('HSET', KEYS[1], 'idx', idx, 'r0', r0, 'r1', r1, 't0', t0, 't1', t1)
  redis.call('PEXPIRE', KEYS[1], windowMs * 2)
  redis.call('ZADD', KEYS[2], now + ttl, ARGV[6])
  redis.call('PEXPIRE', KEYS[2], ttl * 2)
  inflight = inflight + 1
end
return { refused, idx, elapsed, r0, r1, t0, t1, inflight }
`;

/** Reads without changing anything. ARGV: window ms. Returns { idx, elapsed, r0, r1, t0, t1, in flight }. */
export const PEEK_SCRIPT = `${LOAD}
local inflight = redis.call('ZCOUNT', KEYS[2], '(' .. now, '+inf')
return { idx, elapsed, r0, r1, t0, t1, inflight }
`;

/**
 * Replaces a reservation by the real count, adds the request's extra upstream calls (tool
 * rounds) to its request count, and frees the lease. ARGV: window index of the reservation,
 * token delta, lease id, extra requests. A reservation older than the previous minute no longer
 * counts anywhere and is left alone.
 */
export const SETTLE_SCRIPT = `
redis.call('ZREM', KEYS[2], ARGV[3])
local delta = tonumber(ARGV[2])
local extra = tonumber(ARGV[4]) or 0
if delta ~= 0 or extra ~= 0 then
  local sidx = tonumber(redis.call('HGET', KEYS[1], 'idx'))
  local ridx = tonumber(ARGV[1])
  if sidx == ridx then
    redis.call('HINCRBY', KEYS[1], 't1', delta)
    redis.call('HINCRBY', KEYS[1], 'r1', extra)
  elseif sidx == ridx + 1 then
    redis.call('HINCRBY', KEYS[1], 't0', delta)
    redis.call('HINCRBY', KEYS[1], 'r0', extra)
  end
end
return 1
`;

/** Extends this process's leases of one key. ARGV: lease TTL ms, lease ids… */
export const RENEW_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local ttl = tonumber(ARGV[1])
for i = 2, #ARGV do
  redis.call('ZADD', KEYS[1], 'XX', now + ttl, ARGV[i])
end
redis.call('PEXPIRE', KEYS[1], ttl * 2)
return 1
`;
