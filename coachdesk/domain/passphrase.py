"""How strong a passphrase is: one estimate shared by the setup wizard's meter and `init`.

The estimate is deliberately simple and conservative: the size of the character classes used,
raised to the length, with repeated and sequential characters counted once. A passphrase of four
or five unrelated words passes easily; "Password1!" does not."""

from __future__ import annotations

import itertools
import math
import string

MINIMUM_BITS = 50
MINIMUM_LENGTH = 10
_COMMON = {"password", "passw0rd", "letmein", "welcome", "qwerty", "iloveyou", "coachdesk", "remploy", "islington"}


def estimate_bits(passphrase: str) -> float:
    if not passphrase:
        return 0.0
    pool = 0
    if any(c in string.ascii_lowercase for c in passphrase):
        pool += 26
    if any(c in string.ascii_uppercase for c in passphrase):
        pool += 26
    if any(c in string.digits for c in passphrase):
        pool += 10
    if any(c in string.punctuation or c == " " for c in passphrase):
        pool += 33
    if any(ord(c) > 127 for c in passphrase):
        pool += 100
    # Runs of the same or consecutive characters add little: count each run as one character.
    effective = 1
    for prev, cur in itertools.pairwise(passphrase):
        if abs(ord(cur) - ord(prev)) > 1:
            effective += 1
    bits = effective * math.log2(max(pool, 2))
    lowered = passphrase.lower()
    for word in _COMMON:
        if word in lowered:
            bits -= lowered.count(word) * (len(word) * math.log2(max(pool, 2)) - 10)
    return max(bits, 0.0)


def passphrase_problem(passphrase: str) -> str | None:
    """Why a new passphrase is too weak, in a sentence, or None when it is strong enough."""
    if len(passphrase) < MINIMUM_LENGTH:
        return f"The passphrase must have at least {MINIMUM_LENGTH} characters; a few unrelated words work well."
    if estimate_bits(passphrase) < MINIMUM_BITS:
        return "That passphrase is too easy to guess. Try three or four unrelated words, or add more characters."
    return None
