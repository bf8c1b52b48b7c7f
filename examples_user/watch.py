"""Third process: watch a batch run by other workers, from the README's Python block."""
import asyncio
import json
import sys
import time

from suno_async import SunoClient

STORE = sys.argv[1]       # the workers' --store
FILE = sys.argv[2]


async def main() -> None:
    lines = [json.loads(x) for x in open(FILE) if x.strip()]
    seen = []
    async with SunoClient(store=STORE) as client:
        deadline = time.monotonic() + 120
        while True:
            progress = await client.batch_progress(lines)
            text = str(progress)
            if not seen or seen[-1] != text:
                seen.append(text)
                print(f"[watch {time.monotonic():.1f}] {text}", flush=True)
                for line in progress.lines:
                    print("   ", line.index, line.state, line.task_id, line.stage, line.status,
                          flush=True)
            if progress.finished or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
    print("FINISHED" if progress.finished else "TIMED OUT", progress.counts(), flush=True)


asyncio.run(main())
