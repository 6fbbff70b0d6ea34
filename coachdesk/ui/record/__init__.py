"""The participant record: one page with a tab for each part of the caseload file's record."""
