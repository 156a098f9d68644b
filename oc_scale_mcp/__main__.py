"""`python -m oc_scale_mcp` is the same as the `oc-scale` console script."""

from oc_scale_mcp.cli import main

raise SystemExit(main())
