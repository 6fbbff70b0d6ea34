"""The programme's hub (interfaces.md §3): receives the coaches' signed monthly bundles, keeps them,
merges them and shows them to the programme team only through disclosure control.

It imports `coachdesk.domain` (the bundle format and the measure catalogue) and nothing of the
coach's side: no vault, no services, no sync, no Qt. See docs/hub.md."""
