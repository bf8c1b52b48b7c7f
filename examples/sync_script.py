"""A plain script with no async code: the blocking client (``suno_async.sync``).

Run it (no account needed: a sandbox on its own thread stands in for the API)::

    python examples/sync_script.py

It creates a song, prints every stage as it is reached, waits for the final tracks and
downloads the first one. Against the real API (``SUNO_API_KEY`` set)::

    SUNO_API_KEY=... python examples/sync_script.py --live

The same lines work in a Jupyter cell: the client runs its own event loop on a
background thread, so the notebook's running loop is no obstacle.
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
from collections.abc import Sequence
from pathlib import Path

from suno_async import PollPolicy
from suno_async.errors import SunoError
from suno_async.sync import Sandbox, SunoClient

#: Fast polling for the sandbox demo (its timeline runs at 1/100 of real time).
DEMO_POLL = PollPolicy(initial=0.05, maximum=0.3, early_maximum=0.1, min_interval=0)


def make_song(client: SunoClient, prompt: str, out_dir: Path) -> Path:
    """Generate one instrumental, narrate its stages, download the first track."""
    job = client.generate(prompt=prompt, instrumental=True)
    print(f"task {job.task_id} created")
    for event in job.events(timeout=900):
        print(f"  {event.stage.name.lower()} ({event.status or 'submitted'})")
    record = job.result(timeout=60)  # already final: returns at once
    for track in record.tracks:
        # repr(): titles and URLs come from the API; never raw to a terminal
        print(f"  track {track.title!r}: {track.duration or 0:.1f} s {track.audio_url!r}")
    path = client.download(record.tracks[0], out_dir)
    print(f"saved {str(path)!r}")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--live", action="store_true", help="use the real API ($SUNO_API_KEY)")
    parser.add_argument("--prompt", default="calm piano for a rainy afternoon")
    parser.add_argument("--out", type=Path, default=None, help="download directory")
    args = parser.parse_args(argv)
    with contextlib.ExitStack() as stack:
        out = args.out or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        if args.live:
            client = stack.enter_context(SunoClient())
        else:
            sandbox = stack.enter_context(Sandbox(time_scale=0.01, seed=1))
            print("sandbox: durations are simulated; its audio files are 1.5 s test tones")
            client = stack.enter_context(
                SunoClient(api_key=sandbox.api_key, base_url=sandbox.url, poll=DEMO_POLL)
            )
        try:
            make_song(client, args.prompt, out)
        except SunoError as exc:
            print(f"failed: {exc}")
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
