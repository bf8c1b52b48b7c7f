"""``RedisStore``: the shared store for a fleet (``redis.asyncio``, optional extra ``[redis]``).

Atomic steps are Lua scripts (a claim's check-and-set, the sliding window, leases), so
any number of processes on any number of machines see one order. Time for the rate
window and leases is the Redis server's clock (``TIME``), so machines with skewed
clocks still share one window. Callbacks travel through a Redis stream per account,
capped at :data:`STREAM_MAXLEN` entries; a subscription blocks on ``XREAD``.

Every key starts with ``suno-async:<account>:`` (the account is a hash of the API key
and host: the key never reaches Redis). ``suno-async:<account>:schema`` holds the
layout version; a newer one is refused.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import socket
import time
import types
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Final, Self, TypeVar

from ..config import (
    REDIS_COMMAND_TIMEOUT,
    REDIS_CONNECT_TIMEOUT,
    REDIS_STREAM_BLOCK_MS,
    REDIS_STREAM_MAXLEN,
    SLOT_PENDING_MAX,
    SLOT_PENDING_POLL,
    SLOT_RETENTION,
    STORE_JOB_RETENTION,
    STORE_TOKEN_BYTES,
)
from ._claims import MAYBE_SUBMITTED, SENDING, JournalEntry, public_body
from ._keys import KEY_PREFIX, account_key, redact_url
from ._owner import Owner, owner_alive
from .base import Callback, JobState, Store, StoreError, job_retention_seconds

__all__ = ["REDIS_SCHEMA_VERSION", "STREAM_MAXLEN", "RedisStore"]

T = TypeVar("T")

#: The key layout this code reads and writes.
REDIS_SCHEMA_VERSION: Final = 1
# Defaults live in suno_async.config.
STREAM_MAXLEN: Final = REDIS_STREAM_MAXLEN
STREAM_BLOCK_MS: Final = REDIS_STREAM_BLOCK_MS
CONNECT_TIMEOUT: Final = REDIS_CONNECT_TIMEOUT
COMMAND_TIMEOUT: Final = REDIS_COMMAND_TIMEOUT
TOKEN_BYTES: Final = STORE_TOKEN_BYTES

_CLAIM: Final = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.call('HGETALL', KEYS[1])
end
redis.call('HSET', KEYS[1], unpack(ARGV))
redis.call('SADD', KEYS[2], KEYS[1])
return false
"""

# KEYS: finished slots, in-flight slots. ARGV: limit, per, keep, member, pending max,
# in flight (1/0), pending poll.
_SLOT: Final = """
local limit = tonumber(ARGV[1])
local per = tonumber(ARGV[2])
local keep = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%.6f', now - per - keep))
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', string.format('%.6f', now - tonumber(ARGV[5])))
local floor = '(' .. string.format('%.6f', now - per)
local done = redis.call('ZRANGEBYSCORE', KEYS[1], floor, '+inf', 'WITHSCORES')
local n = #done / 2
local used = n + redis.call('ZCARD', KEYS[2])
if used < limit then
  local key = KEYS[1]
  if ARGV[6] == '1' then key = KEYS[2] end
  redis.call('ZADD', key, string.format('%.6f', now), ARGV[4])
  local ttl = math.ceil(per + keep + tonumber(ARGV[5]))
  redis.call('EXPIRE', KEYS[1], ttl)
  redis.call('EXPIRE', KEYS[2], ttl)
  return '0'
end
local index = used - limit
if index < n then
  return tostring(tonumber(done[index * 2 + 2]) + per - now)
end
return ARGV[7]
"""

# KEYS: finished slots, in-flight slots. ARGV: member.
_FINISH_SLOT: Final = """
local t = redis.call('TIME')
local now = string.format('%.6f', tonumber(t[1]) + tonumber(t[2]) / 1000000)
if redis.call('ZREM', KEYS[2], ARGV[1]) == 1 then
  redis.call('ZADD', KEYS[1], now, ARGV[1])
else
  redis.call('ZADD', KEYS[1], 'XX', 'GT', now, ARGV[1])
end
return 1
"""

# KEYS: lease, owned-set-of-owner, job hash, open set. ARGV: owner, ttl ms, task id.
_ACQUIRE: Final = """
if redis.call('HGET', KEYS[3], 'final') == '1' then return 0 end
local held = redis.call('GET', KEYS[1])
if held and held ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3])
redis.call('SADD', KEYS[4], ARGV[3])
return 1
"""

# KEYS: job hash, open set, lease. ARGV: task id, final (1/0), retention s, field/value...
# A finished row stays finished: a later non-final write (a process adopting a task
# another one saw finish) updates it but never puts it back among the open jobs.
_PUT_JOB: Final = """
redis.call('HSET', KEYS[1], unpack(ARGV, 4))
if ARGV[2] == '1' then
  redis.call('SREM', KEYS[2], ARGV[1])
  redis.call('DEL', KEYS[3])
  redis.call('EXPIRE', KEYS[1], ARGV[3])
elseif redis.call('HGET', KEYS[1], 'final') ~= '1' then
  redis.call('SADD', KEYS[2], ARGV[1])
end
return 1
"""

# KEYS: owned set. ARGV: owner, ttl ms, lease key prefix.
_RENEW: Final = """
local held = {}
for _, task in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local key = ARGV[3] .. task
  if redis.call('GET', key) == ARGV[1] then
    redis.call('PEXPIRE', key, ARGV[2])
    table.insert(held, task)
  else
    redis.call('SREM', KEYS[1], task)
  end
end
return held
"""

# KEYS: lease, owned set. ARGV: owner, task id.
_RELEASE: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
redis.call('SREM', KEYS[2], ARGV[2])
return 1
"""

# KEYS: claim, doubt set. Drops the claim only while it is a placeholder.
_RELEASE_CLAIM: Final = """
local status = redis.call('HGET', KEYS[1], 'status')
if status == 'SENDING' or status == 'MAYBE_SUBMITTED' then
  redis.call('DEL', KEYS[1])
end
redis.call('SREM', KEYS[2], KEYS[1])
return 1
"""

_HOST: Final = socket.gethostname()


def _import_redis() -> Any:
    try:
        import redis.asyncio as aioredis
    except ImportError as exc:  # pragma: no cover - the dev extra installs it
        raise ImportError(
            "RedisStore needs the redis package: pip install 'suno-async[redis]'"
        ) from exc
    return aioredis


class RedisStore(Store):
    """The shared store in Redis (``redis://host:port/db``, ``rediss://``, ``unix://``).

    ``RedisStore(url)`` is unscoped; ``for_account(api_key, api_host)`` returns a view
    scoped to one account that shares the connection pool. ``await open()`` connects and
    checks the layout version (an unreachable server raises ``StoreError`` there).
    """

    def __init__(
        self, url: str, *, account: str = "", job_retention: float = STORE_JOB_RETENTION
    ) -> None:
        self.url = url
        self.account = account
        #: How long a finished job's key lives (seconds; claims are kept for good).
        self.job_retention = job_retention_seconds(job_retention)
        self._redis: Any = None
        self._owner = Owner.new()
        self._root = True
        self._scripts: dict[str, Any] = {}
        self._parent: RedisStore | None = None

    def __repr__(self) -> str:
        return f"RedisStore({redact_url(self.url)!r}, account={self.account[:8]!r})"

    @property
    def owner_id(self) -> str:
        """This instance's random owner id (claims; use it as the lease owner too)."""
        return self._owner.id

    def for_account(self, api_key: str, api_host: str) -> RedisStore:
        """A view scoped to one account; it shares this store's connection pool."""
        view = object.__new__(RedisStore)
        view.url = self.url
        view.account = account_key(api_key, api_host)
        view.job_retention = self.job_retention
        view._redis = None
        view._owner = self._owner
        view._root = False
        view._scripts = {}
        view._parent = self
        return view

    # ------------------------------------------------------------------ plumbing

    def _key(self, *parts: str) -> str:
        return ":".join((KEY_PREFIX, self.account or "-", *parts))

    def _client(self) -> Any:
        if self._parent is not None:
            return self._parent._client()
        if self._redis is None:
            raise StoreError(f"{self!r} is not open: await store.open() first")
        return self._redis

    async def _call(self, what: str, fn: Callable[[], Awaitable[T]]) -> T:
        aioredis = _import_redis()
        try:
            return await fn()
        except (aioredis.RedisError, OSError) as exc:
            raise StoreError(
                f"redis store {redact_url(self.url)} {what} failed ({type(exc).__name__}: {exc})"
            ) from exc

    def _script(self, source: str) -> Any:
        root = self._parent or self
        script = root._scripts.get(source)
        if script is None:
            script = self._client().register_script(source)
            root._scripts[source] = script
        return script

    async def open(self) -> None:
        """Connect, check the key layout version; raises ``StoreError`` when unreachable."""
        if self._parent is not None:
            await self._parent.open()
        elif self._redis is None:
            aioredis = _import_redis()
            try:
                self._redis = aioredis.from_url(
                    self.url,
                    decode_responses=True,
                    socket_connect_timeout=CONNECT_TIMEOUT,
                    socket_timeout=COMMAND_TIMEOUT,
                )
            except ValueError as exc:
                raise StoreError(f"bad redis URL {redact_url(self.url)}: {exc}") from None
            try:
                await self._call("connection", self._redis.ping)
            except StoreError:
                await self._redis.aclose()
                self._redis = None
                raise
        key = self._key("schema")

        async def check() -> Any:
            await self._client().set(key, REDIS_SCHEMA_VERSION, nx=True)
            return await self._client().get(key)

        try:
            found = await self._call("schema check", check)
            if int(found) > REDIS_SCHEMA_VERSION:
                raise StoreError(
                    f"redis store {redact_url(self.url)} was written by a newer suno-async"
                    f" (layout {found}; this version reads up to {REDIS_SCHEMA_VERSION}):"
                    " upgrade suno-async, or use another database"
                )
        except BaseException:
            root = self._parent or self
            client, root._redis = root._redis, None
            if client is not None:
                await client.aclose()
            raise

    async def aclose(self) -> None:
        """Close the connection pool (a view leaves it to its root)."""
        if not self._root:
            return
        self._owner.retire()
        client, self._redis = self._redis, None
        if client is not None:
            await client.aclose()

    # ------------------------------------------------------------------ claims

    def _placeholder_id(self, request_key: str) -> str:
        return f"unknown:{request_key}"

    def _entry(self, fields: Mapping[str, str]) -> JournalEntry:
        status = fields.get("status") or None
        owner_id = fields.get("owner_id") or None
        pid = int(fields["owner_pid"]) if fields.get("owner_pid") else None
        host = fields.get("owner_host") or None
        submitted_at = float(fields.get("submitted_at", 0.0))
        mine = status == SENDING and owner_id == self._owner.id
        in_flight = (
            status == SENDING and not mine and owner_alive(pid, host, owner_id, submitted_at)
        )
        ok = fields.get("ok") or None
        return JournalEntry(
            task_id=fields["task_id"],
            kind=fields.get("kind", ""),
            path=fields.get("path", ""),
            request_key=fields.get("request_key") or None,
            request=json.loads(fields.get("request", "{}")),
            submitted_at=submitted_at,
            status=status,
            ok=None if ok is None else ok == "1",
            in_flight=in_flight,
            mine=mine,
        )

    def _fields(
        self, task_id: str, kind: str, path: str, request_key: str | None,
        request: Mapping[str, Any], status: str,
    ) -> dict[str, str]:
        return {
            "task_id": task_id,
            "kind": kind,
            "path": path,
            "request_key": request_key or "",
            "request": public_body(request),
            "submitted_at": repr(time.time()),
            "status": status,
            "ok": "",
            "owner_pid": str(os.getpid()),
            "owner_host": _HOST,
            "owner_id": self._owner.id,
        }

    async def claim(
        self, kind: str, path: str, request_key: str, request: Mapping[str, Any]
    ) -> JournalEntry | None:
        """Atomically take ``request_key`` (``None``) or return who has it."""
        fields = self._fields(self._placeholder_id(request_key), kind, path, request_key,
                              request, SENDING)
        flat = [item for pair in fields.items() for item in pair]
        keys = [self._key("claim", request_key), self._key("doubt")]
        found = await self._call("claim", lambda: self._script(_CLAIM)(keys=keys, args=flat))
        if not found:
            return None
        return self._entry(dict(zip(found[::2], found[1::2], strict=True)))

    async def record_submitted(
        self,
        task_id: str,
        kind: str,
        path: str,
        request_key: str | None,
        request: Mapping[str, Any],
    ) -> None:
        """The claim became task ``task_id`` (one MULTI/EXEC)."""
        key = request_key if request_key is not None else f"task:{task_id}"
        fields = self._fields(task_id, kind, path, request_key, request, "")
        claim_key = self._key("claim", key)

        async def write() -> None:
            async with self._client().pipeline(transaction=True) as pipe:
                pipe.delete(claim_key)
                pipe.hset(claim_key, mapping=fields)
                pipe.srem(self._key("doubt"), claim_key)
                pipe.zadd(self._key("unfinished"), {task_id: time.time()})
                pipe.set(self._key("task", task_id), key)
                await pipe.execute()

        try:
            await self._call("record_submitted", write)
        except StoreError as exc:
            raise StoreError(
                f"{exc}; the paid task {task_id} is not recorded: keep its id", task_id=task_id
            ) from exc.__cause__

    async def record_maybe_submitted(
        self, kind: str, path: str, request_key: str, request: Mapping[str, Any]
    ) -> None:
        """The request was sent and its reply lost: never send it again unasked."""
        fields = self._fields(self._placeholder_id(request_key), kind, path, request_key,
                              request, MAYBE_SUBMITTED)
        claim_key = self._key("claim", request_key)

        async def write() -> None:
            async with self._client().pipeline(transaction=True) as pipe:
                pipe.hset(claim_key, mapping=fields)
                pipe.sadd(self._key("doubt"), claim_key)
                await pipe.execute()

        await self._call("record_maybe_submitted", write)

    async def release(self, request_key: str) -> None:
        """Drop the claim (only a placeholder: a recorded task is kept)."""
        keys = [self._key("claim", request_key), self._key("doubt")]
        await self._call("release", lambda: self._script(_RELEASE_CLAIM)(keys=keys, args=[]))

    async def forget(self, request_key: str) -> bool:
        """Remove everything known about ``request_key``."""
        claim_key = self._key("claim", request_key)

        async def write() -> bool:
            task_id = await self._client().hget(claim_key, "task_id")
            if task_id is None:
                return False
            async with self._client().pipeline(transaction=True) as pipe:
                pipe.delete(claim_key)
                pipe.srem(self._key("doubt"), claim_key)
                pipe.zrem(self._key("unfinished"), task_id)
                pipe.delete(self._key("task", task_id))
                await pipe.execute()
            return True

        return await self._call("forget", write)

    async def find(self, request_key: str) -> JournalEntry | None:
        """The task or claim of ``request_key``."""
        claim_key = self._key("claim", request_key)
        fields = await self._call("find", lambda: self._client().hgetall(claim_key))
        return self._entry(fields) if fields else None

    async def find_many(self, request_keys: Sequence[str]) -> dict[str, JournalEntry]:
        """The task or claim of each of ``request_keys`` that has one, by key (one
        pipeline of those keys only, however many claims the account has)."""
        wanted = list(dict.fromkeys(request_keys))
        entries = await self._claims([self._key("claim", key) for key in wanted])
        return {e.request_key: e for e in entries if e.request_key is not None}

    async def _claims(self, claim_keys: list[str]) -> list[JournalEntry]:
        async def read() -> list[Any]:
            async with self._client().pipeline(transaction=False) as pipe:
                for key in claim_keys:
                    pipe.hgetall(key)
                result: list[Any] = await pipe.execute()
                return result

        found = await self._call("read", read) if claim_keys else []
        entries = [self._entry(f) for f in found if f]
        return sorted(entries, key=lambda e: e.submitted_at)

    async def in_doubt(self) -> list[JournalEntry]:
        """Claims that may have created a task whose id is unknown."""
        keys = await self._call("in_doubt", lambda: self._client().smembers(self._key("doubt")))
        return [e for e in await self._claims(sorted(keys)) if e.maybe_submitted]

    async def unfinished(self) -> list[JournalEntry]:
        """Submitted tasks without an outcome, oldest first."""
        async def read() -> list[str]:
            ids = await self._client().zrange(self._key("unfinished"), 0, -1)
            if not ids:
                return []
            keys = await self._client().mget([self._key("task", t) for t in ids])
            return [self._key("claim", k) for k in keys if k]

        return await self._claims(await self._call("unfinished", read))

    async def entries(self) -> list[JournalEntry]:
        """Every task and claim of the account, oldest first (``SCAN`` over its claims)."""
        pattern = self._key("claim", "*")

        async def read() -> list[str]:
            return sorted({k async for k in self._client().scan_iter(match=pattern, count=500)})

        return await self._claims(await self._call("entries", read))

    async def record_outcome(self, task_id: str, status: str, ok: bool) -> None:
        """A task's terminal outcome."""
        async def write() -> None:
            key = await self._client().get(self._key("task", task_id))
            async with self._client().pipeline(transaction=True) as pipe:
                if key is not None:
                    pipe.hset(
                        self._key("claim", key),
                        mapping={"status": status, "ok": "1" if ok else "0",
                                 "finished_at": repr(time.time())},
                    )
                pipe.zrem(self._key("unfinished"), task_id)
                await pipe.execute()

        await self._call("record_outcome", write)

    # ------------------------------------------------------------------ rate budget

    async def acquire_create_slot(
        self, limit: int, per_seconds: float, *, slot_id: str | None = None
    ) -> float:
        """Take a slot of the account's window (``0.0``) or the seconds to wait."""
        if limit < 1 or not per_seconds > 0:
            raise ValueError("acquire_create_slot needs limit >= 1 and per_seconds > 0")
        member = slot_id or secrets.token_hex(8)
        args = [
            limit, repr(float(per_seconds)), repr(SLOT_RETENTION), member,
            repr(SLOT_PENDING_MAX), "1" if slot_id else "0", repr(SLOT_PENDING_POLL),
        ]
        keys = [self._key("slots"), self._key("slots-in-flight")]
        wait = await self._call(
            "acquire_create_slot", lambda: self._script(_SLOT)(keys=keys, args=args)
        )
        value = float(wait)
        return 0.0 if value == 0.0 else max(value, 1e-3)

    async def finish_create_slot(self, slot_id: str) -> None:
        """The slot ``slot_id`` counts from now (server clock)."""
        keys = [self._key("slots"), self._key("slots-in-flight")]
        await self._call(
            "finish_create_slot", lambda: self._script(_FINISH_SLOT)(keys=keys, args=[slot_id])
        )

    async def release_create_slot(self, slot_id: str) -> None:
        """Give back the in-flight slot ``slot_id`` (nothing was sent with it)."""
        key = self._key("slots-in-flight")
        await self._call("release_create_slot", lambda: self._client().zrem(key, slot_id))

    # ------------------------------------------------------------------ job registry

    async def put_job(
        self,
        task_id: str,
        kind: str,
        *,
        stage: str | None = None,
        status: str | None = None,
        record: str | None = None,
        final: bool = False,
    ) -> None:
        """Record a task's latest state; ``final`` also ends its lease."""
        fields = {"kind": kind, "updated_at": repr(time.time())}
        for name, value in (("stage", stage), ("status", status), ("record", record)):
            if value is not None:
                fields[name] = value
        if final:
            fields["final"] = "1"
        keys = [self._key("job", task_id), self._key("open"), self._key("lease", task_id)]
        # a finished row lives job_retention more (whole seconds, >= 1)
        args = [task_id, "1" if final else "0", max(1, math.ceil(self.job_retention))]
        args += [item for pair in fields.items() for item in pair]

        async def write() -> None:
            await self._script(_PUT_JOB)(keys=keys, args=args)

        await self._call("put_job", write)

    async def get_job(self, task_id: str) -> JobState | None:
        """The registry's view of ``task_id`` (with its lease holder)."""
        async def read() -> tuple[Any, Any, Any]:
            async with self._client().pipeline(transaction=False) as pipe:
                pipe.hgetall(self._key("job", task_id))
                pipe.get(self._key("lease", task_id))
                pipe.pttl(self._key("lease", task_id))
                fields, owner, ttl = await pipe.execute()
                return fields, owner, ttl

        fields, owner, ttl = await self._call("get_job", read)
        if not fields and owner is None:
            return None
        return JobState(
            task_id=task_id,
            kind=fields.get("kind", ""),
            stage=fields.get("stage"),
            status=fields.get("status"),
            record=fields.get("record"),
            final=fields.get("final") == "1",
            updated_at=float(fields.get("updated_at", 0.0)),
            owner=owner,
            lease_until=time.time() + ttl / 1000 if owner is not None and ttl > 0 else None,
        )

    async def try_acquire(self, task_id: str, owner: str, ttl: float) -> bool:
        """Take the lease of ``task_id`` when free, expired or already ``owner``'s."""
        keys = [self._key("lease", task_id), self._key("owned", owner), self._key("job", task_id),
                self._key("open")]
        args = [owner, max(1, int(ttl * 1000)), task_id]
        got = await self._call("try_acquire", lambda: self._script(_ACQUIRE)(keys=keys, args=args))
        return bool(got)

    async def renew(self, owner: str, ttl: float) -> list[str]:
        """Extend every lease ``owner`` still holds; the task ids held."""
        keys = [self._key("owned", owner)]
        args = [owner, max(1, int(ttl * 1000)), self._key("lease", "")]
        held = await self._call("renew", lambda: self._script(_RENEW)(keys=keys, args=args))
        return sorted(held)

    async def release_lease(self, task_id: str, owner: str) -> None:
        """Give up the lease of ``task_id`` if ``owner`` holds it."""
        keys = [self._key("lease", task_id), self._key("owned", owner)]
        await self._call(
            "release_lease", lambda: self._script(_RELEASE)(keys=keys, args=[owner, task_id])
        )

    async def orphans(self) -> list[str]:
        """Unfinished jobs whose lease is missing or expired."""
        async def read() -> list[str]:
            ids = sorted(await self._client().smembers(self._key("open")))
            if not ids:
                return []
            async with self._client().pipeline(transaction=False) as pipe:
                for task_id in ids:
                    pipe.exists(self._key("lease", task_id))
                held = await pipe.execute()
            return [t for t, h in zip(ids, held, strict=True) if not h]

        return await self._call("orphans", read)

    # ------------------------------------------------------------------ callbacks

    async def publish(self, task_id: str, body: str) -> None:
        """Append a callback to the account's stream."""
        entry = {"task_id": task_id, "body": body, "at": repr(time.time())}
        await self._call(
            "publish",
            lambda: self._client().xadd(
                self._key("callbacks"), entry, maxlen=STREAM_MAXLEN, approximate=True
            ),
        )

    def subscribe(self) -> _StreamSubscription:
        """Callbacks published from entry on (``XREAD BLOCK``)."""
        return _StreamSubscription(self)

    # ------------------------------------------------------------------ secrets

    async def get_or_create_token(self, name: str = "webhook") -> str:
        """The account's shared secret ``name``, created on first use."""
        key = self._key("secret", name)
        candidate = secrets.token_urlsafe(TOKEN_BYTES)

        async def write() -> str:
            await self._client().set(key, candidate, nx=True)
            return str(await self._client().get(key))

        return await self._call("get_or_create_token", write)


class _StreamSubscription:
    """Reads the account's callback stream from its last entry at subscription time."""

    def __init__(self, store: RedisStore) -> None:
        self._store = store
        self._stream = store._key("callbacks")
        self._cursor: str | None = None
        self._buffer: deque[Callback] = deque()
        self._closed = False

    async def __aenter__(self) -> Self:
        async def last() -> str:
            found = await self._store._client().xrevrange(self._stream, count=1)
            return str(found[0][0]) if found else "0-0"

        self._cursor = await self._store._call("subscribe", last)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: types.TracebackType | None,
    ) -> None:
        self._closed = True

    def close(self) -> None:
        """Stop iterating after the blocking read in progress (at most
        ``REDIS_STREAM_BLOCK_MS``): cancelling a task blocked in ``XREAD`` is not
        always honoured by the driver until its socket timeout."""
        self._closed = True

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> Callback:
        if self._cursor is None:
            raise StoreError("enter the subscription first: async with store.subscribe() as s")
        while not self._buffer:
            if self._closed:
                raise StopAsyncIteration
            cursor = self._cursor

            async def read(cursor: str = cursor) -> Any:
                return await self._store._client().xread(
                    {self._stream: cursor}, count=256, block=STREAM_BLOCK_MS
                )

            for _stream, entries in await self._store._call("subscribe", read) or []:
                for entry_id, fields in entries:
                    self._cursor = str(entry_id)
                    self._buffer.append(
                        Callback(fields["task_id"], fields["body"], float(fields["at"]))
                    )
        return self._buffer.popleft()
