"""The vault: key slots, the SQLCipher database, its schema and the repositories over it."""
