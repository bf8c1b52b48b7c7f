"""Runnable measurements of suno-async against its baselines (``python -m benchmarks``).

Every scenario runs against a sandbox on loopback with a compressed timeline and
reports ratios or counts measured in the same run, so the figures hold on a noisy
machine. ``python -m benchmarks --quick`` is a sub-minute run; ``--smoke`` runs every
scenario of ``--quick`` at once in seconds (a shape check the test suite uses; its
figures are not measurements);
``--json FILE`` writes every figure with a description of the machine.
See ``benchmarks/RESULTS.md`` for the latest full table.
"""
