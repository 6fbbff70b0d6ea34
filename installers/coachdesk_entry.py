"""The frozen program's first module: the same `coachdesk` command as the console script and
`python -m coachdesk` (both executables of the bundle start here)."""

from coachdesk.cli import main

raise SystemExit(main())
