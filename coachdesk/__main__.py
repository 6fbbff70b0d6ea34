"""`python -m coachdesk` runs the same entry point as the `coachdesk` console script."""

from coachdesk.cli import main

raise SystemExit(main())
