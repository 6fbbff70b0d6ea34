"""Plain-Python domain: the vocabulary, the records and the rules. Imports nothing else of coachdesk."""
