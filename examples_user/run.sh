#!/bin/bash
# Two CLI workers + one Python watcher + --status, over one SQLite store, against the served sandbox.
set -u
ROOT=/work/wt-review3; PY=/work/venv/bin/python; export PYTHONPATH=$ROOT
D=$(mktemp -d /tmp/review3-user.XXXX); cd $D
PORT=$($PY -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
$PY -m suno_async.cli sandbox --port $PORT --time-scale 0.01 --api-key k > sandbox.log 2>&1 &
SB=$!
for i in $(seq 50); do grep -q "$PORT" sandbox.log 2>/dev/null && break; sleep 0.1; done
cat sandbox.log
export SUNO_API_KEY=k SUNO_BASE_URL=http://127.0.0.1:$PORT
cat > songs.jsonl <<'J'
{"prompt": "lofi rain one"}
{"prompt": "[[fail]] lofi rain two"}
{"custom_mode": true, "style": "lofi", "prompt": "rain three lyrics", "title": "[red]x[/red]\u001b[31mEVIL"}
{"prompt": "lofi rain four"}
{"prompt": "lofi rain one"}
{"prompt": "lofi rain six"}
J
STORE="sqlite:///$D/suno.sqlite3"
$PY -m suno_async.cli batch songs.jsonl --store $STORE --status; echo "status-before rc=$?"
$PY -m suno_async.cli batch songs.jsonl --store $STORE --download ./out --plain > a.log 2>&1 & A=$!
$PY -m suno_async.cli batch songs.jsonl --store $STORE --download ./out --plain > b.log 2>&1 & B=$!
$PY $ROOT/examples_user/watch.py $STORE songs.jsonl > w.log 2>&1 & W=$!
sleep 1.5
$PY -m suno_async.cli batch songs.jsonl --store $STORE --status; echo "status-mid rc=$?"
wait $A; echo "worker A rc=$?"; wait $B; echo "worker B rc=$?"; wait $W; echo "watcher rc=$?"
$PY -m suno_async.cli batch songs.jsonl --store $STORE --status; echo "status-after rc=$?"
$PY -m suno_async.cli batch songs.jsonl --store $STORE --status --json | head -c 600; echo " rc=$?"
echo ---- A; cat a.log; echo ---- B; cat b.log; echo ---- W; cat w.log
ls out | wc -l
kill $SB; wait $SB 2>/dev/null
echo DIR=$D
