/*
 * The Lua scripts of the Redis spend store; each runs atomically on the server. One hash per key
 * name and period, `<prefix>{<name>}:<period>`: field = bucket start (ms), value = nano-units
 * spent in it. Buckets older than the window are deleted as they are met. The totals stay
 * integers below 2^53, exact in Lua's doubles.
 */

/** Sums the buckets from ARGV[2] (first) on, dropping older ones. Sets total, oldest. */
const SUM = `
local first = tonumber(ARGV[2])
local fields = redis.call('HGETALL', KEYS[1])
local total, oldest = 0, -1
for i = 1, #fields, 2 do
  local b, v = tonumber(fields[i]), tonumber(fields[i + 1])
  if b < first then
    redis.call('HDEL', KEYS[1], fields[i])
  else
    total = total + v
    if v > 0 and (oldest < 0 or b < oldest) then oldest = b end
  end
end
`;

/**
 * Check-and-add. ARGV: bucket, first, amount, limit (-1: none), ttl ms.
 * Returns { admitted 0|1, before, after, oldest or -1 }.
 */
export const CHARGE_SCRIPT = `${SUM}
local bucket, amount, limit = tonumber(ARGV[1]), tonumber(ARGV[3]), tonumber(ARGV[4])
if limit >= 0 and total + amount > limit then
  return { 0, total, total, oldest }
end
if amount ~= 0 then
  redis.call('HINCRBY', KEYS[1], ARGV[1], amount)
  if amount > 0 and (oldest < 0 or bucket < oldest) then oldest = bucket end
end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[5]))
return { 1, total, total + amount, oldest }
`;

/**
 * Corrects a reservation. ARGV: bucket, first, delta, ttl ms. Applied only while the bucket still
 * counts. Returns { 1, before, after, oldest or -1 }.
 */
export const ADJUST_SCRIPT = `${SUM}
local bucket, delta = tonumber(ARGV[1]), tonumber(ARGV[3])
local after = total
if bucket >= first and delta ~= 0 then
  local v = redis.call('HINCRBY', KEYS[1], ARGV[1], delta)
  after = total + delta
  if v > 0 and (oldest < 0 or bucket < oldest) then oldest = bucket end
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]))
end
return { 1, total, after, oldest }
`;

/** Reads the window's total. ARGV: unused, first. Returns { total, oldest or -1 }. */
export const PEEK_SCRIPT = `
local first = tonumber(ARGV[2])
local fields = redis.call('HGETALL', KEYS[1])
local total, oldest = 0, -1
for i = 1, #fields, 2 do
  local b, v = tonumber(fields[i]), tonumber(fields[i + 1])
  if b >= first then
    total = total + v
    if v > 0 and (oldest < 0 or b < oldest) then oldest = b end
  end
end
return { total, oldest }
`;
