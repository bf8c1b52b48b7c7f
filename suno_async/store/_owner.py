"""Who holds a claim: process id, host name and a random id per journal/store instance.

A ``SENDING`` claim whose owner is alive is *in flight* (another sender is waiting for
its reply: wait or re-attach); one whose owner is dead is *maybe submitted* (the process
died mid-send). On this host liveness is ``os.kill(pid, 0)`` — and, for this very
process, whether that instance is still open. Another host's owner cannot be probed: it
counts as alive until :data:`STALE_SENDING_AFTER` seconds after the claim.
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
import time
from typing import Final

import attrs

from ..config import STALE_SENDING_AFTER

__all__ = ["STALE_SENDING_AFTER", "Owner", "owner_alive"]


_HOST: Final = socket.gethostname()
_live: set[str] = set()
_live_guard = threading.Lock()


@attrs.frozen
class Owner:
    """The owner id of one open journal/store instance."""

    pid: int
    host: str
    id: str

    @classmethod
    def new(cls) -> Owner:
        """A fresh owner for this process, registered as alive until :meth:`retire`."""
        owner = cls(os.getpid(), _HOST, secrets.token_hex(8))
        with _live_guard:
            _live.add(owner.id)
        return owner

    def retire(self) -> None:
        """The instance is closed: its remaining ``SENDING`` claims are now in doubt."""
        with _live_guard:
            _live.discard(self.id)


def owner_alive(pid: int | None, host: str | None, owner_id: str | None, since: float) -> bool:
    """Whether the owner of a claim made at ``since`` (epoch seconds) may still be sending."""
    if pid is None or host is None or owner_id is None:
        return False  # written by 0.1.0: no owner recorded
    if time.time() - since > STALE_SENDING_AFTER:
        return False
    if host != _HOST:
        return True
    if pid == os.getpid():
        with _live_guard:
            return owner_id in _live
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True
