"""`python -m triplane.cli` is the same as the `triplane` command."""

from triplane.cli import main

raise SystemExit(main())
