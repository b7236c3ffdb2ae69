"""``python -m benchmarks``: run every workload (see ``benchmarks/run.py``)."""

from .run import main

raise SystemExit(main())
