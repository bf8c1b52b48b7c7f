"""Each result downloaded once across processes: a download is claimed in the store.

With ``--store``, several ``suno-async batch`` processes (on one machine or many) follow
the same tasks; before saving a track each claims ``download`` of (task id, track
index) in the store, the store's usual atomic claim. The winner downloads, then records
the claim as done; the others skip that track ("saved by another worker"). A download
that fails releases its claim, and one whose process died mid-download (a claim in
doubt) is taken over, since downloads cost nothing.
"""

from __future__ import annotations

from typing import Final

from ..store import Store
from ..store._claims import request_key_for

__all__ = ["DOWNLOAD_KIND", "claim_download", "finish_download", "release_download"]

#: The kind and path recorded for a download claim (never a job kind: ``resume()``
#: skips these rows).
DOWNLOAD_KIND: Final = "download"


def _key(task_id: str, index: int) -> str:
    return request_key_for(DOWNLOAD_KIND, {"task": task_id, "track": index})


def _body(task_id: str, index: int) -> dict[str, object]:
    return {"task": task_id, "track": index}


async def claim_download(store: Store, task_id: str, index: int) -> bool:
    """Whether this process downloads track ``index`` of ``task_id`` (it now holds the
    claim). ``False``: another live process has it, or it was downloaded already."""
    key = _key(task_id, index)
    entry = await store.claim(DOWNLOAD_KIND, DOWNLOAD_KIND, key, _body(task_id, index))
    if entry is None:
        return True
    if entry.maybe_submitted:  # its downloader died mid-way: downloads are free, retake
        await store.forget(key)
        return await store.claim(DOWNLOAD_KIND, DOWNLOAD_KIND, key, _body(task_id, index)) is None
    return False


async def finish_download(store: Store, task_id: str, index: int) -> None:
    """The claimed download is saved: record it as done (never downloaded again)."""
    row = f"{DOWNLOAD_KIND}:{task_id}:{index}"
    key = _key(task_id, index)
    await store.record_submitted(row, DOWNLOAD_KIND, DOWNLOAD_KIND, key, _body(task_id, index))
    await store.record_outcome(row, "DOWNLOADED", True)


async def release_download(store: Store, task_id: str, index: int) -> None:
    """The claimed download failed: let another process (or a rerun) try it."""
    await store.release(_key(task_id, index))
