"""Sync to the programme: the monthly measures, signed bundles, the outbox (issue 5)."""
