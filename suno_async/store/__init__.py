"""One account's shared state across processes and machines: claims, rate budget, jobs,
callbacks and the fleet's webhook token.

* :class:`SQLiteStore` — one file, several processes on one machine (the journal's file).
* :class:`RedisStore` — a fleet (``pip install 'suno-async[redis]'``).
* :class:`Store` — the protocol both implement; pass your own object anywhere a store goes.

:func:`store_for` turns a spec into a store (``None``, a path, ``sqlite:///path``,
``redis://host:port/db`` or a ``Store``); :func:`open_store` also opens it, so an
unreachable store fails right there.

>>> import asyncio, os, tempfile
>>> from suno_async.store import open_store
>>> async def main():
...     path = os.path.join(tempfile.mkdtemp(), "s.sqlite3")
...     store = await open_store(f"sqlite:///{path}", api_key="sk-x", api_host="api.kie.ai")
...     try:
...         return type(store).__name__, len(store.account)
...     finally:
...         await store.aclose()
>>> asyncio.run(main())
('SQLiteStore', 32)
"""

from __future__ import annotations

import contextlib
import os

from ._claims import MAYBE_SUBMITTED, SENDING, JournalEntry
from ._keys import account_key
from ._owner import STALE_SENDING_AFTER
from .base import Callback, JobState, Store, StoreError, Subscription
from .redis import RedisStore
from .sqlite import FEED_POLL_INTERVAL, SQLiteStore

__all__ = [
    "FEED_POLL_INTERVAL",
    "MAYBE_SUBMITTED",
    "SENDING",
    "STALE_SENDING_AFTER",
    "Callback",
    "JobState",
    "JournalEntry",
    "RedisStore",
    "SQLiteStore",
    "Store",
    "StoreError",
    "StoreSpec",
    "Subscription",
    "account_key",
    "open_store",
    "store_for",
]

#: What ``store=`` accepts.
StoreSpec = Store | str | os.PathLike[str] | None

_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def store_for(
    spec: StoreSpec, *, api_key: str | None = None, api_host: str | None = None
) -> Store | None:
    """The store a spec names (not opened yet); scoped to the account when given.

    ``None`` is "no store" (in memory); ``"redis://..."`` a :class:`RedisStore`;
    ``"sqlite:///path"`` or any other string / path a :class:`SQLiteStore`.

    >>> store_for(None) is None
    True
    >>> store_for("redis://localhost:6379/0")
    RedisStore('redis://localhost:6379/0', account='')
    """
    if spec is None:
        return None
    account = account_key(api_key, api_host) if api_key is not None and api_host else ""
    if isinstance(spec, str) and spec.startswith(_REDIS_SCHEMES):
        return RedisStore(spec, account=account)
    if isinstance(spec, str) and spec.startswith("sqlite:"):
        if not spec.startswith("sqlite:///") or spec == "sqlite:///":
            raise ValueError(
                f"store {spec!r}: write sqlite:///relative/path or sqlite:////absolute/path"
            )
        return SQLiteStore(spec.removeprefix("sqlite:///"), account=account)
    if isinstance(spec, str | os.PathLike):
        text = os.fspath(spec)
        if "://" in text:
            raise ValueError(
                f"store {text!r}: unknown scheme (use a path, sqlite:///path or redis://...)"
            )
        return SQLiteStore(text, account=account)
    if isinstance(spec, Store):
        # The caller's object: scoped through a view; the caller closes the root.
        return spec.for_account(api_key, api_host) if api_key is not None and api_host else spec
    raise TypeError(
        "store must be None, a path, 'sqlite:///path', 'redis://...' or a Store;"
        f" got {type(spec).__name__}"
    )


async def open_store(
    spec: StoreSpec, *, api_key: str | None = None, api_host: str | None = None
) -> Store | None:
    """:func:`store_for`, then ``await store.open()``: an unreachable store raises here.

    A store that fails to open is closed again (no thread or connection is left behind);
    a :class:`Store` object passed in is the caller's and is left as it is."""
    store = store_for(spec, api_key=api_key, api_host=api_host)
    if store is not None:
        try:
            await store.open()
        except BaseException:
            if not isinstance(spec, Store):
                with contextlib.suppress(Exception):  # the open's error is the one to see
                    await store.aclose()
            raise
    return store
