"""`python -m coachdesk.hub`: the same as the `coachdesk-hub` console script."""

import sys

from coachdesk.hub.cli import main

sys.exit(main())
