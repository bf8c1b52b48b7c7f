"""Run every scenario, print one table, optionally write the figures as JSON.

``--quick`` is the sub-minute smoke run; ``--smoke`` the seconds-long shape check the test
suite runs (``--quick`` sizes, the smallest size where a module has one, every module at
once, so its figures are not comparable with a sequential run's).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import inspect
import json
import logging
import math
import re
import sys
import time
import traceback
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from ._common import Row, machine

#: A module's ``run(quick)`` (some also take ``smoke``: see :func:`run_all`).
Runner = Callable[..., Awaitable[list[Row]]]

#: Scenario names, in table order (rows are grouped by their ``scenario`` field).
SCENARIOS = (
    "1 poll cost",
    "2 detection latency",
    "3 polls per job",
    "4 failure detection",
    "5 scale",
    "6 rate-limited throughput",
    "7 fault load",
)

#: Scenarios the smoke run (``--quick`` without ``--only``) leaves out: they start worker
#: processes and servers, longer than the smoke run allows (``--quick --only 8`` runs them).
EXTRA_SCENARIOS = ("8 fleet (shared store)",)

#: (module under ``benchmarks``, scenarios it reports).
MODULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("poll_cost", SCENARIOS[0:1]),
    ("latency", SCENARIOS[1:4]),
    ("scale", SCENARIOS[4:5]),
    ("throughput", SCENARIOS[5:6]),
    ("fault_load", SCENARIOS[6:7]),
    ("fleet", EXTRA_SCENARIOS[0:1]),
)

COLUMNS = ("Scenario", "Metric", "SDK", "Baseline", "Ratio", "Target")


def _load(name: str) -> Runner | None:
    """The module's ``run``; None when the module does not exist (yet)."""
    try:
        module = importlib.import_module(f"benchmarks.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"benchmarks.{name}":
            return None
        raise
    run: Runner = module.run
    return run


def _normalise(raw: dict[str, Any], scenario: str) -> Row:
    """Accept rows from other authors' modules: fill ``scenario``, ``metric``, ``value``."""
    out = dict(raw)
    if "fault" in raw and "metric" not in raw:  # a row of benchmarks/fault_load.py
        out["metric"] = f"{raw['fault']}: resolved / typed errors / duplicates / lost / hung"
        out["value"] = (
            " / ".join(
                str(raw.get(k, "?"))
                for k in ("resolved", "typed_errors", "duplicates", "lost", "hung")
            )
            + f" of {raw.get('jobs', '?')}"
        )
        clean = not raw.get("violations") and not raw.get("untyped")
        out["target"] = "0 dup / lost / hung / untyped"
        out["ok"] = clean
    out.setdefault("scenario", scenario)
    if not str(out["scenario"])[:1].isdigit():
        out["scenario"] = scenario
    if "metric" not in out:
        out["metric"] = str(out.get("name") or out.get("label") or "result")
    if "value" not in out:
        rest = {k: v for k, v in raw.items() if k not in ("scenario", "metric", "name", "label")}
        out["value"] = rest
    out.setdefault("unit", "")
    return out


def _takes_smoke(run: Runner) -> bool:
    """Whether a module's ``run`` has a smaller, shape-only size (a ``smoke`` parameter)."""
    return "smoke" in inspect.signature(run).parameters


async def run_all(
    quick: bool, only: Sequence[str] | None = None, *, smoke: bool = False
) -> dict[str, Any]:
    """Run the scenarios; returns the JSON document (machine, rows per scenario, timings).

    ``smoke`` (``--smoke``, for the test suite): the ``--quick`` sizes, the smallest size
    where a module has one, and every module at once. Every row is reported, but the
    figures measure scenarios sharing the machine: not comparable with ``--quick``'s.
    """
    quick = quick or smoke
    listed = SCENARIOS if quick and not only else SCENARIOS + EXTRA_SCENARIOS
    results: dict[str, list[Row]] = {name: [] for name in listed}
    timings: dict[str, float] = {}
    failed: list[str] = []

    async def one(module: str, names: tuple[str, ...]) -> None:
        started = time.perf_counter()
        print(f"running {', '.join(names)} ...", file=sys.stderr, flush=True)
        try:
            runner = _load(module)
            if runner is None:
                for name in names:
                    results[name].append(
                        {
                            "scenario": name,
                            "metric": "not available",
                            "value": f"benchmarks/{module}.py is missing",
                            "unit": "",
                        }
                    )
                return
            smallest = smoke and _takes_smoke(runner)
            rows = await (runner(quick, smoke=True) if smallest else runner(quick))
            for raw in rows:
                item = _normalise(raw, names[0])
                results.setdefault(item["scenario"], []).append(item)
        except Exception as exc:  # one broken scenario must not hide the others
            traceback.print_exc()
            failed.append(module)
            for name in names:
                results[name].append(
                    {
                        "scenario": name,
                        "metric": "error",
                        "value": f"{type(exc).__name__}: {exc}",
                        "unit": "",
                    }
                )
        finally:
            timings[module] = round(time.perf_counter() - started, 2)

    chosen = [
        (module, names)
        for module, names in MODULES
        if (not only or any(n.split()[0] in only for n in names)) and names[0] in results
    ]
    if smoke:
        await asyncio.gather(*(one(module, names) for module, names in chosen))
    else:
        for module, names in chosen:
            await one(module, names)
    if only:
        results = {k: v for k, v in results.items() if v}
    flag = " --smoke" if smoke else " --quick" if quick else ""
    return {
        "machine": machine(),
        "quick": quick,
        "smoke": smoke,
        "command": "python -m benchmarks" + flag,
        "scenarios": results,
        "seconds": timings,
        "failed": failed,
    }


def _number(value: float) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if math.isnan(value):
        return "n/a"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"


_KEYS = re.compile(r"\(([a-z0-9]+(?:/[a-z0-9]+)+)\)\s*$")


def _cell(value: Any, unit: str, metric: str) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        match = _KEYS.search(metric)
        keys = match.group(1).split("/") if match else [k for k in value if k != "n"]
        text = " / ".join(
            _number(value[k]) if isinstance(value.get(k), int | float) else str(value.get(k, ""))
            for k in keys
        )
    elif isinstance(value, int | float):
        text = _number(value)
    else:
        text = str(value)
    return f"{text} {unit}".strip() if unit and unit != "x" else text


def table(doc: dict[str, Any]) -> str:
    """The results as one Markdown table."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for scenario, rows in doc["scenarios"].items():
        for r in rows:
            unit = str(r.get("unit", ""))
            metric = str(r.get("metric", ""))
            target = r.get("target")
            verdict = ""
            if target is not None:
                ok = r.get("ok")
                verdict = f"{target} {'✓' if ok else '✗ MISSED' if ok is False else ''}".strip()
            ratio = r.get("ratio")
            cells = (
                scenario,
                metric.replace("|", "/"),
                _cell(r.get("value"), unit, metric),
                _cell(r.get("baseline"), unit, metric),
                _number(ratio) if isinstance(ratio, int | float) else "",
                verdict,
            )
            lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines)


def describe(doc: dict[str, Any]) -> str:
    m = doc["machine"]
    return (
        f"{m['cpus']} CPU ({m['cpu']}), {m['platform']}, Python {m['python']}, "
        f"aiohttp {m['aiohttp']}, suno-async {m['suno_async']} ({m['git_commit']}), "
        f"load average at start {m['loadavg_at_start'][0]}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Measure suno-async against its baselines on a loopback sandbox.",
    )
    parser.add_argument("--quick", action="store_true", help="sub-minute smoke run")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="seconds-long shape check (the test suite's): --quick sizes, the smallest "
        "scale, every scenario at once; figures not comparable with --quick's",
    )
    parser.add_argument("--json", metavar="FILE", help="write every figure and the machine here")
    parser.add_argument(
        "--only", metavar="N[,N...]", help="scenario numbers to run (e.g. 1,5); default all"
    )
    args = parser.parse_args(argv)
    only = [s.strip() for s in args.only.split(",")] if args.only else None
    # The SDK logs expected oddities (unknown statuses, retried polls) at WARNING.
    logging.getLogger("suno_async").setLevel(logging.ERROR)
    started = time.perf_counter()
    doc = asyncio.run(run_all(args.quick, only, smoke=args.smoke))
    doc["total_seconds"] = round(time.perf_counter() - started, 1)
    print(table(doc))
    print()
    print(f"Machine: {describe(doc)}")
    print(f"Command: {doc['command']} ({doc['total_seconds']} s)")
    missed = [
        f"{r['scenario']}: {r['metric']}"
        for rows in doc["scenarios"].values()
        for r in rows
        if r.get("ok") is False
    ]
    if missed:
        print("Targets missed: " + "; ".join(missed))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=2, default=str)
            f.write("\n")
    return 1 if doc["failed"] else 0
