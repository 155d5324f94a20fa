// Lua run inside Redis, so each read-check-write below is one atomic step on the server.

/**
 * `add`: stores ARGV[1] (PX ARGV[3] unless empty) when the key is absent, or holds one of our
 * frames whose expiry (the big-endian double at byte 9, see @larder/core's codec) is at or before
 * ARGV[2], the caller's clock in epoch ms. Returns 1 when it stored.
 */
export const ADD = `
local v = redis.call('GET', KEYS[1])
if v then
  if string.len(v) < 28 or string.sub(v, 1, 5) ~= 'LRDR\\1' then return 0 end
  if struct.unpack('>d', v, 9) > tonumber(ARGV[2]) then return 0 end
end
if ARGV[3] == '' then redis.call('SET', KEYS[1], ARGV[1])
else redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3]) end
return 1`;

/**
 * `increment`: INCRBY ARGV[1]; a counter created here gets PX ARGV[2] (unless empty), an existing
 * one keeps its expiry. Returns the new value.
 */
export const INCREMENT = `
local existed = redis.call('EXISTS', KEYS[1])
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if existed == 0 and ARGV[2] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return value`;

/**
 * `touch` of a frame: replaces the value by ARGV[2] (PX ARGV[3], or no expiry when empty) only if
 * it is still ARGV[1], so a concurrent write is never undone. Returns 1 when it replaced.
 */
export const REPLACE_IF_SAME = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[3] == '' then redis.call('SET', KEYS[1], ARGV[2])
else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 1`;

/**
 * `increment` of a key holding a frame: replaces the value by the counter ARGV[2] only if it is
 * still ARGV[1]; keeps the key's expiry unless ARGV[3] gives one (PX). Returns 1 when it replaced.
 */
export const REPLACE_WITH_COUNTER = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[3] == '' then redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 1`;

/** Lock release: deletes the lock only while it still holds this owner's token ARGV[1]. */
export const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;
