"""``python -m suno_async.cli`` runs the ``suno-async`` command line."""

from __future__ import annotations

from . import main

raise SystemExit(main())
