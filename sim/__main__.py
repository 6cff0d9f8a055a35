"""``python -m sim`` is the same as the ``gridqueue`` command."""

from sim.cli import main

raise SystemExit(main())
