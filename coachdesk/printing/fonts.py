"""The shipped font (Noto Sans, SIL Open Font License, see resources/fonts/OFL.txt), registered with
reportlab as TrueType so that every PDF embeds a subset of it.

Noto Sans draws Latin (with Vietnamese), Greek and Cyrillic. It cannot draw Chinese, Japanese,
Korean, Arabic, Hebrew, the Indic scripts or emoji, and reportlab cannot shape the scripts that need
joining or reordering anyway, so `unsupported_characters` tells the coach about such characters
before a document is printed instead of letting them come out as empty boxes."""

from __future__ import annotations

import threading
import unicodedata
from functools import cache

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from coachdesk import resources

REGULAR = "CoachDeskSans"
BOLD = "CoachDeskSans-Bold"
_FILES = {REGULAR: "NotoSans-Regular.ttf", BOLD: "NotoSans-Bold.ttf"}
_lock = threading.Lock()


@cache
def _font(name: str) -> TTFont:
    return TTFont(name, str(resources.path("fonts", _FILES[name])))


def register() -> tuple[str, str]:
    """Register the regular and bold faces once per process; returns their names."""
    with _lock:
        registered = pdfmetrics.getRegisteredFontNames()
        for name in _FILES:
            if name not in registered:
                pdfmetrics.registerFont(_font(name))
        # <b> in a Paragraph of the regular face picks the bold face.
        addMapping(REGULAR, 0, 0, REGULAR)
        addMapping(REGULAR, 1, 0, BOLD)
        addMapping(REGULAR, 0, 1, REGULAR)
        addMapping(REGULAR, 1, 1, BOLD)
    return REGULAR, BOLD


@cache
def _covered() -> frozenset[int]:
    """Code points that both faces can draw (headings use the bold face, the body the regular)."""
    regular, bold = (set(_font(name).face.charToGlyph) for name in _FILES)
    return frozenset(regular & bold)


def unsupported_characters(text: str) -> set[str]:
    """The characters of `text` (after NFC normalisation) that the shipped font cannot draw.

    Spaces and line breaks are ignored; everything else missing from the font's character map is
    reported, e.g. '李', 'م', 'क' or '😀'."""
    covered = _covered()
    return {
        ch
        for ch in unicodedata.normalize("NFC", text)
        if ord(ch) not in covered and not ch.isspace() and unicodedata.category(ch) != "Cc"
    }
