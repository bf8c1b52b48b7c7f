"""Account scoping: a store's keys belong to one account (API key hash + API host).

The API key itself is never stored, logged or put in a key: only a salted SHA-256 of
it together with the API host, so two accounts (or one key on two hosts) never share
claims, rate budget, jobs or tokens.
"""

from __future__ import annotations

import hashlib
from typing import Final
from urllib.parse import urlsplit

__all__ = ["KEY_PREFIX", "account_key", "redact_url"]

#: Prefix of every Redis key written by suno-async.
KEY_PREFIX: Final = "suno-async"


def account_key(api_key: str, api_host: str) -> str:
    """The scope of one account on one API host: 32 hex digits, the key unrecoverable.

    ``api_host`` may be a base URL or a bare host name.

    >>> k = account_key("sk-secret", "https://api.kie.ai")
    >>> len(k), "secret" in k, k == account_key("sk-secret", "api.kie.ai")
    (32, False, True)
    """
    host = urlsplit(api_host).netloc if "://" in api_host else api_host
    text = f"suno-async account\0{host.lower()}\0{api_key}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def redact_url(url: str) -> str:
    """``url`` without its user name and password (for messages and reprs).

    >>> redact_url("redis://user:hunter2@db.local:6379/0")
    'redis://***@db.local:6379/0'
    """
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return parts._replace(netloc=f"***@{host}").geturl()
