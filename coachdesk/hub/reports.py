"""The summary as files: one renderer per format, each taking a `Summary` (already through
disclosure control) and, for the formats that name things, a `ReportContext` (programme and
practice names), and returning bytes. `coachdesk-hub report --format` offers exactly the formats in
`FORMATS`, and the API's summary.csv uses the CSV one; a new format is one entry here."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Protocol

from coachdesk.hub.disclosure import SUPPRESSED, Shown
from coachdesk.hub.figures import UNKNOWN
from coachdesk.hub.pdf_report import ReportContext, render_pdf
from coachdesk.hub.summary import Summary

CSV_HEADER = ("period", "practice", "measure", "value")
# A CSV has no null: an unknown figure is written as the word `UNKNOWN`, so that nobody's
# spreadsheet reads an empty cell as 0 without noticing.
__all__ = ["FORMATS", "UNKNOWN", "Format", "ReportContext", "render"]


class Renderer(Protocol):
    def __call__(self, summary: Summary, context: ReportContext | None = None, /) -> bytes: ...


@dataclass(frozen=True)
class Format:
    render: Renderer
    media_type: str
    suffix: str


def csv_value(value: Shown) -> str:
    if value is None:
        return UNKNOWN
    return SUPPRESSED if value == SUPPRESSED else str(value)


def render_csv(summary: Summary, _context: ReportContext | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    writer.writerows((r.period, r.practice, r.measure, csv_value(r.value)) for r in summary.rows)
    return out.getvalue().encode("utf-8")


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def render_json(summary: Summary, _context: ReportContext | None = None) -> bytes:
    """`summary.as_json()` as compact JSON, written row by row: a summary of three years has tens of
    thousands of rows, and building a dict for each before encoding took twice as long. Each distinct
    string is encoded once, by the json module, so the text is exactly what json.dumps would write
    (a test compares the two)."""
    encoded: dict[str, str] = {}

    def text(value: str) -> str:
        found = encoded.get(value)
        if found is None:
            found = encoded[value] = _encode(value)
        return found

    def shown(value: Shown) -> str:
        return "null" if value is None else text(value) if isinstance(value, str) else str(value)

    head = _encode(summary.as_json(rows=False))[:-1]
    rows = ",".join(
        f'{{"period":{text(r.period)},"practice":{text(r.practice)},"measure":{text(r.measure)},'
        f'"value":{shown(r.value)}}}'
        for r in summary.rows
    )
    return f'{head},"rows":[{rows}]}}'.encode()


FORMATS: dict[str, Format] = {
    "csv": Format(render_csv, "text/csv; charset=utf-8", ".csv"),
    "json": Format(render_json, "application/json", ".json"),
    "pdf": Format(render_pdf, "application/pdf", ".pdf"),
}


def render(summary: Summary, name: str, context: ReportContext | None = None) -> bytes:
    return FORMATS[name].render(summary, context)
