"""Leases: a popped request (or seed) stays in Redis, with an expiry, until the worker confirms its outcome.

Every operation is one Lua script, so a worker killed between two Redis calls can never lose a member: a pop
moves the member from the frontier (or the seed list) into the lease structure atomically, an ack deletes it,
and any live worker moves expired leases back. Expiry times use the Redis server's clock (``TIME``), so workers
on machines with skewed clocks agree on when a lease has expired.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis

from . import Keys

_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
"""

# KEYS: frontier, leases, lease-data, lease-meta, lease-seq; ARGV: lease seconds -> {id, member} or nil
_POP_REQUEST = _NOW + """
local top = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #top == 0 then return nil end
redis.call('ZREM', KEYS[1], top[1])
local id = redis.call('INCR', KEYS[5])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[1]), id)
redis.call('HSET', KEYS[3], id, top[1])
redis.call('HSET', KEYS[4], id, top[2])
return {id, top[1]}
"""

# KEYS: seeds, leases, lease-data, lease-meta, lease-seq; ARGV: lease seconds -> {id, seed} or nil
_POP_SEED = _NOW + """
local seed = redis.call('LPOP', KEYS[1])
if not seed then return nil end
local id = redis.call('INCR', KEYS[5])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[1]), id)
redis.call('HSET', KEYS[3], id, seed)
redis.call('HSET', KEYS[4], id, 's')
return {id, seed}
"""

# KEYS: leases, lease-data, lease-meta; ARGV: ids -> number acked
_ACK = """
local n = 0
for _, id in ipairs(ARGV) do
  n = n + redis.call('ZREM', KEYS[1], id)
  redis.call('HDEL', KEYS[2], id)
  redis.call('HDEL', KEYS[3], id)
end
return n
"""

# KEYS: leases, lease-data, lease-meta, frontier, seeds; ARGV: a mode word, then lease ids to release now
# (none: every expired lease, up to 500 per call) -> number of members moved back
_REQUEUE = _NOW + """
local ids = {}
if #ARGV > 1 then
  for i = 2, #ARGV do ids[#ids + 1] = ARGV[i] end
else
  ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 500)
end
local n = 0
for _, id in ipairs(ids) do
  if redis.call('ZREM', KEYS[1], id) == 1 then
    local member = redis.call('HGET', KEYS[2], id)
    local meta = redis.call('HGET', KEYS[3], id)
    if member then
      if meta == 's' then redis.call('LPUSH', KEYS[5], member)
      else redis.call('ZADD', KEYS[4], tonumber(meta) or 0, member) end
      n = n + 1
    end
  end
  redis.call('HDEL', KEYS[2], id)
  redis.call('HDEL', KEYS[3], id)
end
return n
"""

# KEYS: leases; ARGV: lease seconds, ids -> number extended (a lease already requeued is not revived)
_EXTEND = _NOW + """
local n = 0
for i = 2, #ARGV do
  n = n + redis.call('ZADD', KEYS[1], 'XX', 'CH', now + tonumber(ARGV[1]), ARGV[i])
end
return n
"""


@dataclass
class Lease:
    """One leased member: a pickled request (``seed`` False) or a JSON seed."""

    id: str
    member: bytes
    seed: bool = False


class LeaseStore:
    """Atomic frontier/seed pops with leases, acks, heartbeats and the requeue of expired leases."""

    def __init__(self, server: redis.Redis, keys: Keys, lease_seconds: float) -> None:
        self.server = server
        self.keys = keys
        self.lease_seconds = lease_seconds
        self._pop_request = server.register_script(_POP_REQUEST)
        self._pop_seed = server.register_script(_POP_SEED)
        self._ack = server.register_script(_ACK)
        self._requeue = server.register_script(_REQUEUE)
        self._extend = server.register_script(_EXTEND)

    @property
    def _lease_keys(self) -> list[str]:
        return [self.keys.leases, self.keys.lease_data, self.keys.lease_meta]

    def pop_request(self) -> Lease | None:
        k = self.keys
        got = self._pop_request(keys=[k.frontier, *self._lease_keys, k.lease_seq], args=[self.lease_seconds])
        return Lease(_text(got[0]), got[1]) if got else None

    def pop_seed(self) -> Lease | None:
        k = self.keys
        got = self._pop_seed(keys=[k.seeds, *self._lease_keys, k.lease_seq], args=[self.lease_seconds])
        return Lease(_text(got[0]), got[1], seed=True) if got else None

    def ack(self, ids: list[str]) -> int:
        """Forget the leases: their outcome is confirmed."""
        return int(self._ack(keys=self._lease_keys, args=ids)) if ids else 0

    def release(self, ids: list[str]) -> int:
        """Give leases back now (graceful stop): their members return to the frontier / seed list."""
        if not ids:
            return 0
        return int(self._requeue(keys=[*self._lease_keys, self.keys.frontier, self.keys.seeds], args=["release", *ids]))

    def requeue_expired(self) -> int:
        """Move every expired lease (its worker died or hung) back to the frontier / seed list."""
        return int(self._requeue(keys=[*self._lease_keys, self.keys.frontier, self.keys.seeds], args=["expired"]))

    def extend(self, ids: list[str]) -> int:
        """Heartbeat: push the expiry of live leases forward."""
        return int(self._extend(keys=[self.keys.leases], args=[self.lease_seconds, *ids])) if ids else 0

    def sizes(self) -> dict[str, int]:
        """Seeds waiting, requests in the frontier, leases outstanding (all workers)."""
        with self.server.pipeline(transaction=False) as pipe:
            pipe.llen(self.keys.seeds)
            pipe.zcard(self.keys.frontier)
            pipe.zcard(self.keys.leases)
            seeds, frontier, leases = pipe.execute()
        return {"seeds": int(seeds), "frontier": int(frontier), "leases": int(leases)}


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
