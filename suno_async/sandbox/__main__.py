"""``python -m suno_async.sandbox``: serve the sandbox until interrupted."""

from .server import main

raise SystemExit(main())
