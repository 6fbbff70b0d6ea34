"""Documents CoachDesk prints for participants (reportlab, in memory; no Qt)."""
