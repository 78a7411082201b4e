"""``python -m teamsolver``: the same as the ``teamsolver`` command."""

from __future__ import annotations

from .cli import main

if __name__ == "__main__":  # pragma: no cover
    main()
