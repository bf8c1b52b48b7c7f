"""``suno-async demo``: the whole product on the built-in sandbox, in seconds."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..models.enums import Model
from ..models.requests import GenerateRequest
from ._batch import run_batch
from ._context import Context

__all__ = ["DEMO_REQUESTS", "run_demo"]

#: Several styles, one instrumental, one custom-mode song with lyrics.
DEMO_REQUESTS: tuple[GenerateRequest, ...] = (
    GenerateRequest(prompt="A calm lofi piano beat for a rainy afternoon", instrumental=True),
    GenerateRequest(prompt="Upbeat synthwave about driving through a neon city at night"),
    GenerateRequest(prompt="Acoustic folk song about an old lighthouse", model=Model.V4_5),
    GenerateRequest(
        custom_mode=True,
        style="indie pop, bright guitars, female vocals",
        title="Paper Planes",
        prompt=(
            "[Verse]\nFolded all my wishes into paper planes\n"
            "Threw them from the rooftop in the summer rain\n"
            "[Chorus]\nFly, fly, over the town\nNothing here can hold us down"
        ),
    ),
    GenerateRequest(prompt="Smooth late-night jazz trio with brushed drums", model=Model.V4_5PLUS),
)


async def run_demo(args: argparse.Namespace, ctx: Context) -> int:
    """Run the demo batch on an in-process sandbox and download every track."""
    from ..sandbox.media import WAV_SECONDS

    out_dir = Path(args.out)
    ctx.resume_hint = "run `suno-async demo` again (the sandbox lives only as long as the demo)"
    ctx.out.line(
        f"suno-async demo: {len(DEMO_REQUESTS)} requests on an in-process sandbox "
        "(no account, nothing leaves this machine)"
    )
    ctx.out.line(
        "the sandbox reports song lengths as the real API would (2-3 minutes), but its "
        f"files are {WAV_SECONDS:g}-second test tones"
    )
    code = await run_batch(
        ctx,
        DEMO_REQUESTS,
        concurrency=len(DEMO_REQUESTS),
        download=out_dir,
        force_sandbox=True,
        sandbox_scale=args.time_scale,
        title="demo",
    )
    if not ctx.out.json and code == 0:
        ctx.out.line("")
        ctx.out.line("next steps:")
        ctx.out.line('  with a key:    export SUNO_API_KEY=...; suno-async generate "lofi piano" '
                     "--instrumental --download out/")
        ctx.out.line("  same, no key:  add --sandbox to any command")
        ctx.out.line("  in Python:     see README.md (quickstart) and examples/")
    return code
