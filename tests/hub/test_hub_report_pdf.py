"""The programme report as a PDF, read back with pypdf: every practice's table (and the total's) holds
exactly the summary's figures, with "*" and "unknown" where the summary has them; the title block
names the programme, months and rule; every page is numbered and, for `--sdc none`, says "not for
publication"; and a trend chart leaves a gap, never a 0, where a figure is hidden or unknown."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hubkit import SAMPLE_NAMES, fill_sample
from pypdf import PdfReader
from reportlab.graphics.shapes import PolyLine
from sqlalchemy.engine import URL

from coachdesk.domain.months import months_between as months
from coachdesk.hub import charts
from coachdesk.hub.disclosure import NHS, NONE, parse_rule
from coachdesk.hub.figures import KEY_MEASURES, NOT_REPORTED, Series, Trend, month_label, shown_text
from coachdesk.hub.pdf_report import ReportContext, drawing, render_pdf
from coachdesk.hub.reports import FORMATS
from coachdesk.hub.store import Store
from coachdesk.hub.summary import ALL, Summary, summarise

ROOT = Path(__file__).resolve().parents[2]
PERIODS = months("2015-04", "2015-09")
POLICY = """\
programme = "test-programme"
[[practices]]
code = "P01"
name = "City Road Medical Centre"
[[practices]]
code = "P02"
name = "Goodinge Group Practice"
[[practices]]
code = "P03"
name = "River Place Group Practice"
"""


def pages_of(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def table_rows(text: str) -> dict[str, list[str]]:
    """Month label -> the cells after it, from a table page's text (one cell a line)."""
    lines = [line.strip() for line in text.splitlines()]
    labels = {month_label(p) for p in months("2000-01", "2030-12")}
    return {line: lines[i + 1 : i + 1 + len(KEY_MEASURES)] for i, line in enumerate(lines) if line in labels}


def section_pages(pages: list[str], title: str) -> str:
    """The text of the table page that starts with a practice's heading."""
    found = [text for text in pages if text.startswith(f"{title}\nKey measures by month")]
    assert len(found) == 1, (title, [p[:40] for p in pages])
    return found[0]


def expected_rows(summary: Summary, code: str) -> dict[str, list[str]]:
    reported = {(r.period, r.practice) for r in summary.rows}
    return {
        month_label(period): [
            shown_text(summary.value(period, code, m)) if (period, code) in reported else NOT_REPORTED
            for m, _ in KEY_MEASURES
        ]
        for period in months(summary.period_from, summary.period_to)
    }


def hub_report(db: URL, out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "coachdesk.hub", "report", "--db", db.render_as_string(hide_password=False)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [*command, "--format", "pdf", "--out", str(out), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_report_offers_pdf() -> None:
    assert FORMATS["pdf"].media_type == "application/pdf" and FORMATS["pdf"].suffix == ".pdf"


@pytest.mark.parametrize("rule_text", ["nhs", "threshold:5", "none"])
def test_the_tables_are_the_summary_with_its_marks(store: Store, db_url: URL, tmp_path: Path, rule_text: str) -> None:
    fill_sample(store, PERIODS, unknown=("2015-06", "P02", "sessions_dna"))
    policy = tmp_path / "policy.toml"
    policy.write_text(POLICY, encoding="utf-8")
    out = tmp_path / "report.pdf"
    run = hub_report(
        db_url, out, "--from", PERIODS[0], "--to", PERIODS[-1], "--sdc", rule_text, "--policy", str(policy)
    )
    assert run.returncode == 0, run.stderr
    pages = pages_of(out.read_bytes())
    summary = summarise(store, PERIODS[0], PERIODS[-1], rule=parse_rule(rule_text))
    marks: set[str] = set()
    for code in (ALL, "P01", "P02", "P03"):
        title = "All practices" if code == ALL else f"{code} – {SAMPLE_NAMES[code]}"
        expected = expected_rows(summary, code)
        assert table_rows(section_pages(pages, title)) == expected, code
        marks |= {cell for row in expected.values() for cell in row}
    assert "unknown" in marks  # the null cell sent for P02 in June
    if rule_text != "none":
        assert "*" in marks  # the sample's small figures are hidden
    assert len(pages) == 1 + 2 * 4  # the title page, then each table and its charts
    for number, text in enumerate(pages, 1):
        assert f"Page {number} of {len(pages)}" in text
        assert ("NOT FOR PUBLICATION" in text) == (rule_text == "none")
    title_page = pages[0]
    assert "CoachDesk programme report" in title_page and "test-programme" in title_page
    assert "April 2015 to September 2015" in title_page and f"{rule_text}." in title_page
    if rule_text == "none":
        assert "sdc none: not for publication" in run.stderr


def test_one_practice_and_an_empty_range(store: Store) -> None:
    fill_sample(store, PERIODS[:3])
    summary = summarise(store, "2015-05", "2015-07", rule=NHS, practice="P03")
    pages = pages_of(render_pdf(summary, ReportContext(practice_names=SAMPLE_NAMES)))
    assert len(pages) == 3 and "P03 – River Place Group Practice" in pages[0]
    # July: nobody reported it; the table says so rather than inventing zeros.
    assert table_rows(section_pages(pages, "P03 – River Place Group Practice")) == expected_rows(summary, "P03")
    assert table_rows(pages[1])["Jul 2015"] == [NOT_REPORTED] * len(KEY_MEASURES)
    empty = pages_of(render_pdf(summarise(store, "2019-01", "2019-02", rule=NONE)))
    assert len(empty) == 1 and "No figures" in empty[0] and "NOT FOR PUBLICATION" in empty[0]


def test_chart_axes_are_round_and_close_to_the_data() -> None:
    cases = {0: (5, 1), 3: (3, 1), 5: (5, 1), 7: (8, 2), 55: (60, 20), 95: (100, 20), 200: (200, 50), 1234: (1500, 500)}
    assert {top: charts.nice_ceiling(top) for top in cases} == cases


def test_a_chart_leaves_a_gap_where_a_figure_is_hidden_or_unknown() -> None:
    trend = Trend(
        "Job starts",
        ("2015-04", "2015-05", "2015-06", "2015-07", "2015-08", "2015-09"),
        (Series("Job starts", (10, 20, "*", None, 15, 5)), Series("Other", (0, "*", 0, 0, 0, 0))),
    )
    lay = charts.layout(trend)
    left, _, right, bottom = lay.plot
    xs = [x for x, _label, _year in lay.x_labels]
    first, second = lay.lines
    # The first line: 10, 20 | gap | gap | 15, 5 — two segments, four markers, nothing at the gaps.
    assert [[round(x) for x, _ in seg] for seg in first.segments] == [
        [round(xs[0]), round(xs[1])],
        [round(xs[4]), round(xs[5])],
    ]
    assert len(first.points) == 4 and all(round(x) not in (round(xs[2]), round(xs[3])) for x, _ in first.points)
    # A real 0 is drawn on the axis; the hidden month of the second line is not.
    assert [round(x) for x, _ in second.points] == [round(xs[i]) for i in (0, 2, 3, 4, 5)]
    assert all(abs(y - bottom) < 0.01 for _, y in second.points)
    assert [(round(x), mark) for x, mark in lay.gap_marks] == [
        (round(xs[1]), "*"),
        (round(xs[2]), "*"),
        (round(xs[3]), "?"),
    ]
    assert charts.gap_note(trend) == (
        "Gaps in the line: * a figure suppressed by disclosure control (2); ? a figure unknown or not reported (1). "
        "They are not zeros."
    )
    # The PDF draws the same layout: no line reaches the hidden months.
    polylines = [shape for shape in drawing(trend).contents if isinstance(shape, PolyLine)]
    assert len(polylines) == 3
    svg = charts.svg(trend)
    assert svg.count("<polyline") == 3 and svg.count("<circle") == 4 + 1 and left < right
