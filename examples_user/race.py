import asyncio, sys, tempfile, os
sys.path.insert(0, "/work/wt-review3")
import suno_async
from suno_async.sandbox import Sandbox
from tests.conftest import make_client

async def one(spec, n, seed):
    batch = [{"prompt": f"line {seed}-{i}"} for i in range(n)] + [{"prompt": f"[[fail]] {seed}"}]
    async with Sandbox(time_scale=0.003, seed=seed, poll_limit=None) as sb:
        async with make_client(sb, store=spec) as c:
            items = await c.generate_many(batch)
            await suno_async.gather(*[i.job for i in items], return_exceptions=True)
            p = await c.batch_progress(batch)
            return p.done, p.total

async def main():
    spec = sys.argv[1]
    bad = 0
    for seed in range(int(sys.argv[2])):
        if spec == "sqlite":
            d = tempfile.mkdtemp(); s = f"sqlite:///{d}/s.sqlite3"
        else:
            s = f"redis://127.0.0.1:6391/{seed % 16}"
        done, total = await one(s, 5, 1000 + seed)
        bad += done != total
        if done != total: print("mismatch", seed, done, total)
    print(spec, "mismatches", bad)
asyncio.run(main())
