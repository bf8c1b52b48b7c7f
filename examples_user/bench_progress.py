import asyncio, json, sqlite3, sys, time, statistics
from suno_async.store import open_store
from suno_async.batch import progress_of, request_keys
from suno_async import GenerateRequest

async def main(n_hist):
    path = f"/tmp/review3/b{n_hist}.sqlite3"
    import os
    if os.path.exists(path): os.remove(path)
    store = await open_store(f"sqlite:///{path}", api_key="k", api_host="http://h")
    acct = store.account
    body = json.dumps({"prompt": "x" * 400, "model": "V4_5", "customMode": False})
    c = sqlite3.connect(path)
    c.executemany("INSERT INTO tasks(task_id,kind,path,request_key,request,submitted_at,status,ok,account) VALUES (?,?,?,?,?,?,?,?,?)",
        [(f"t{i}", "music", "/api/v1/generate", f"hist{i}", body, i, "SUCCESS", 1, acct) for i in range(n_hist)])
    c.commit(); c.close()
    reqs = [GenerateRequest(prompt=f"line {i}") for i in range(50)]
    keys = request_keys(reqs)
    for i, (r, k) in enumerate(zip(reqs, keys)):
        await store.claim("music", r.path, k, r.to_wire())
        await store.record_submitted(f"b{i}", "music", r.path, k, r.to_wire())
    times = []
    for _ in range(5):
        t = time.perf_counter(); p = await progress_of(store, reqs); times.append(time.perf_counter() - t)
    print(f"hist={n_hist:6d} progress_of 50 running lines: min {min(times)*1e3:.1f} med {statistics.median(times)*1e3:.1f} max {max(times)*1e3:.1f} ms; {p}")
    await store.aclose()

for n in map(int, sys.argv[1:]):
    asyncio.run(main(n))

async def finds(n_hist):
    path = f"/tmp/review3/b{n_hist}.sqlite3"
    store = await open_store(f"sqlite:///{path}", api_key="k", api_host="http://h")
    reqs = [GenerateRequest(prompt=f"line {i}") for i in range(50)]
    keys = request_keys(reqs)
    times = []
    for _ in range(5):
        t = time.perf_counter(); found = [await store.find(k) for k in keys]; times.append(time.perf_counter() - t)
    print(f"hist={n_hist:6d} 50 x find(): min {min(times)*1e3:.1f} med {statistics.median(times)*1e3:.1f} ms; found {sum(f is not None for f in found)}")
    await store.aclose()
asyncio.run(finds(100000))
