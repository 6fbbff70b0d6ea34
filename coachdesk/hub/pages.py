"""The dashboard's HTML: the login page, the programme summary and the hub's few error pages, built
with `html.el` (everything escaped), one inline stylesheet (allowed by its hash in the page's
Content-Security-Policy), charts as inline SVG, no script and nothing fetched from anywhere."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from coachdesk.hub import charts
from coachdesk.hub.figures import (
    ALL_PRACTICES,
    KEY_MEASURES,
    NOT_REPORTED,
    month_label,
    practice_title,
    range_label,
    rule_sentence,
    shown_text,
    trends,
)
from coachdesk.hub.html import Markup, el, join
from coachdesk.hub.summary import ALL, Summary

STYLE = """
*,*::before,*::after{box-sizing:border-box}
html{font-family:"Noto Sans","Helvetica Neue",Arial,sans-serif;color:#0b0c0c;background:#f3f2f1;font-size:17px;
line-height:1.45}
body{margin:0}
a{color:#1d70b8}a:visited{color:#4c2c92}a:hover{color:#003078}
a:focus,button:focus,input:focus,select:focus,summary:focus{outline:3px solid #ffdd00;outline-offset:0;
box-shadow:0 0 0 5px #0b0c0c}
.skip{position:absolute;left:-9999px}.skip:focus{left:8px;top:8px;background:#ffdd00;padding:6px;z-index:2}
header{background:#0b0c0c;color:#fff;border-bottom:10px solid #1d70b8}
.bar{max-width:1180px;margin:0 auto;padding:12px 24px;display:flex;align-items:center;gap:24px;flex-wrap:wrap}
.brand{font-weight:700;font-size:24px;letter-spacing:-.01em}
.service{font-size:18px;flex:1}
.who{font-size:16px;display:flex;align-items:center;gap:12px}
.who form{margin:0}
.linkbutton{background:none;border:0;color:#fff;text-decoration:underline;font:inherit;cursor:pointer;padding:4px}
main{display:block;max-width:1180px;margin:0 auto;padding:24px 24px 48px;background:#fff;min-height:70vh}
h1{font-size:36px;line-height:1.15;margin:8px 0 8px}
h2{font-size:26px;line-height:1.2;margin:40px 0 12px}
h3{font-size:19px;margin:0 0 4px}
.caption{color:#505a5f;font-size:20px;margin:0}
.lede{font-size:20px;margin:4px 0 16px;max-width:44em}
.warning{background:#d4351c;color:#fff;font-weight:700;font-size:22px;padding:14px 18px;margin:16px 0}
.warning span{display:block;font-weight:400;font-size:17px}
.inset{border-left:6px solid #b1b4b6;padding:6px 16px;margin:16px 0}
.notice{border:5px solid #1d70b8;padding:16px 20px;margin:24px 0}
.error{border:5px solid #d4351c;padding:16px 20px;margin:16px 0}
.error h2{margin:0 0 8px;font-size:22px}
.filter{background:#f3f2f1;padding:16px 20px 20px;margin:20px 0;display:flex;flex-wrap:wrap;gap:16px 28px;
align-items:flex-end}
.field label{display:block;font-weight:700;margin-bottom:2px}
.field .hint{display:block;color:#505a5f;font-size:15px;margin-bottom:4px}
input[type=text],input[type=password],select{font:inherit;font-size:18px;border:2px solid #0b0c0c;padding:5px 8px;
background:#fff;color:#0b0c0c;min-height:42px}
input.month{width:7.5em}
input.token{width:100%;max-width:36em}
select{min-width:16em}
button.primary{font:inherit;font-size:18px;font-weight:700;background:#00703c;color:#fff;border:0;padding:9px 18px;
box-shadow:0 2px 0 #002d18;cursor:pointer}
button.primary:hover{background:#005a30}
.download{font-size:18px;font-weight:700;margin:8px 0 0}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(440px,1fr));gap:24px 32px}
figure{margin:0}
figcaption{color:#505a5f;font-size:15px;margin-top:2px}
svg.chart{width:100%;height:auto;display:block}
.chart-title{font-size:17px;font-weight:700;fill:#0b0c0c}
.chart-legend{font-size:14px;fill:#0b0c0c}
.chart-axis{font-size:13px;fill:#505a5f}
.chart-gap{font-size:15px;font-weight:700;fill:#505a5f}
.table-wrap{overflow-x:auto;margin:0 0 8px}
table{border-collapse:collapse;width:100%;font-size:16px}
caption{text-align:left;font-weight:700;font-size:19px;padding:0 0 8px}
th,td{padding:8px 10px 8px 0;border-bottom:1px solid #b1b4b6;text-align:right;vertical-align:bottom}
th:first-child,td:first-child{text-align:left}
thead th{border-bottom:2px solid #0b0c0c;font-size:15px}
td.gap{color:#505a5f}
#key-measures tbody th,#every-measure tbody th,#every-measure thead th{white-space:nowrap}
#practices tbody th{min-width:13em}
.span{color:#505a5f;font-size:15px;margin:-8px 0 0}
code{font-family:ui-monospace,"DejaVu Sans Mono",Consolas,monospace;font-size:.9em;background:#f3f2f1;
padding:1px 5px;white-space:nowrap}
tbody tr:hover{background:#f8f8f8}
details{margin:16px 0}
summary{font-size:18px;color:#1d70b8;text-decoration:underline;cursor:pointer}
.key{color:#505a5f;font-size:15px;margin:8px 0 0}
footer{max-width:1180px;margin:0 auto;padding:16px 24px;color:#505a5f;font-size:15px}
"""
STYLE_HASH = "sha256-" + base64.b64encode(hashlib.sha256(STYLE.encode("utf-8")).digest()).decode("ascii")
CSP = f"default-src 'none'; style-src '{STYLE_HASH}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"


def page(title: str, body: Markup, *, user: str | None = None, service: str = "Programme dashboard") -> str:
    who = None
    if user is not None:
        who = el(
            "div",
            el("span", f"Signed in as {user}"),
            el(
                "form",
                el("button", "Sign out", type="submit", class_="linkbutton"),
                method="post",
                action="/logout",
            ),
            class_="who",
        )
    header = el(
        "header",
        el(
            "div", el("span", "CoachDesk hub", class_="brand"), el("span", service, class_="service"), who, class_="bar"
        ),
    )
    document = el(
        "html",
        el(
            "head",
            Markup('<meta charset="utf-8" />'),
            el("meta", name="viewport", content="width=device-width, initial-scale=1"),
            el("title", f"{title} – CoachDesk hub"),
            el("style", Markup(STYLE)),
        ),
        el(
            "body",
            el("a", "Skip to main content", href="#main", class_="skip"),
            header,
            el("main", body, id="main"),
            el(
                "footer",
                "CoachDesk hub: the programme's merged monthly counts, only ever shown through disclosure control.",
            ),
        ),
        lang="en-GB",
    )
    return "<!DOCTYPE html>\n" + document


# -- login -------------------------------------------------------------------------------------------


def login_page(error: str | None = None) -> str:
    parts: list[Markup] = [el("h1", "Sign in")]
    if error:
        parts.append(el("div", el("h2", "There is a problem"), el("p", error), class_="error", role="alert"))
    parts.append(
        el(
            "p",
            "Paste the programme-team token you were given. The hub's operator makes one for each person with ",
            el("code", "coachdesk-hub user add"),
            ".",
            class_="lede",
        )
    )
    parts.append(
        el(
            "form",
            el(
                "div",
                el("label", "Programme-team token", for_="token"),
                el(
                    "input",
                    type="password",
                    id="token",
                    name="token",
                    class_="token",
                    autocomplete="off",
                    spellcheck="false",
                    required=True,
                    maxlength="128",
                ),
                class_="field",
            ),
            el("p", el("button", "Sign in", type="submit", class_="primary")),
            method="post",
            action="/login",
        )
    )
    parts.append(el("p", "You stay signed in for 8 hours on this browser, or until you sign out.", class_="key"))
    return page("Sign in", join(parts))


def message_page(title: str, sentence: str, *, user: str | None = None) -> str:
    return page(
        title,
        join([el("h1", title), el("p", sentence, class_="lede"), el("p", el("a", "Go to the dashboard", href="/"))]),
        user=user,
    )


# -- the dashboard ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filter:
    """What the form asked for, as typed (shown back in the form even when it was wrong)."""

    period_from: str
    period_to: str
    practice: str  # "" for every practice and the total
    sdc: str | None = None  # only when the address asked for another rule than the hub's

    def query(self) -> str:
        pairs = [("from", self.period_from), ("to", self.period_to)]
        if self.practice:
            pairs.append(("practice", self.practice))
        if self.sdc:
            pairs.append(("sdc", self.sdc))
        return urlencode(pairs)


def dashboard_page(
    *,
    user: str,
    programme: str | None,
    chosen: Filter,
    practices: Sequence[str],
    names: Mapping[str, str],
    summary: Summary | None,
    problem: str | None = None,
    nothing_yet: bool = False,
    span: tuple[str, str] | None = None,
) -> str:
    parts: list[Markup] = [el("p", programme, class_="caption") if programme else None, el("h1", "Programme summary")]
    if nothing_yet:
        parts.append(
            el(
                "div",
                el("h2", "No bundles have arrived yet"),
                el(
                    "p",
                    "The figures appear here once the coaches' laptops have sent their first monthly bundles. "
                    "Give each coach an enrolment token (",
                    el("code", "coachdesk-hub token"),
                    "); on their laptop they run ",
                    el("code", "coachdesk enrol"),
                    " with it, then ",
                    el("code", "coachdesk sync"),
                    " (or Sync in the app).",
                ),
                class_="notice",
            )
        )
        return page("Programme summary", join(parts), user=user)
    if summary is not None and summary.label:
        parts.append(
            el(
                "div",
                summary.label.capitalize(),
                el("span", "Exact counts, not disclosure controlled: for analysts inside the data sharing agreement."),
                class_="warning",
                role="note",
            )
        )
    if summary is not None:
        focus_name = ALL_PRACTICES if not summary.practice else practice_title(summary.practice, names)
        parts.append(el("p", f"{range_label(summary.period_from, summary.period_to)} · {focus_name}", class_="lede"))
        parts.append(
            el(
                "div",
                el("strong", f"Disclosure control: {summary.rule.text}. "),
                rule_sentence(summary.rule),
                class_="inset",
            )
        )
    if problem:
        parts.append(
            el("div", el("h2", "Those months could not be shown"), el("p", problem), class_="error", role="alert")
        )
    parts.append(_filter_form(chosen, practices, names, span))
    if summary is None:
        return page("Programme summary", join(parts), user=user)
    parts.append(
        el(
            "p",
            el("a", "Download these figures (CSV)", href=f"/api/v1/summary.csv?{chosen.query()}", download=True),
            class_="download",
        )
    )
    if not summary.rows:
        parts.append(
            el("div", el("p", "No laptop has sent figures for these months and this practice."), class_="notice")
        )
        return page("Programme summary", join(parts), user=user)
    focus = summary.practice or ALL
    parts.append(el("h2", f"Monthly trends: {practice_title(focus, names)}"))
    figures = []
    for trend in trends(summary, focus):
        note = charts.gap_note(trend)
        figures.append(el("figure", charts.svg(trend), el("figcaption", note) if note else None))
    parts.append(el("div", join(figures), class_="charts"))
    parts.append(el("h2", "Key measures by month"))
    parts.append(_key_table(summary, focus, names))
    parts.append(_key_line())
    if summary.practice is None and len(summary.practices) > 1:
        last = summary.periods[-1]
        parts.append(el("h2", f"Practices in {month_label(last)}"))
        parts.append(_practices_table(summary, last, names))
        parts.append(_key_line())
    parts.append(el("h2", "Every measure"))
    parts.append(
        el(
            "details",
            el("summary", f"Every measure of the catalogue, {practice_title(focus, names)}"),
            _every_measure_table(summary, focus),
        )
    )
    return page("Programme summary", join(parts), user=user)


def _filter_form(
    chosen: Filter, practices: Sequence[str], names: Mapping[str, str], span: tuple[str, str] | None
) -> Markup:
    options = [el("option", "All practices, each and the total", value="", selected=chosen.practice == "")]
    options += [
        el("option", practice_title(code, names), value=code, selected=chosen.practice == code) for code in practices
    ]
    options.append(el("option", "The total only", value=ALL, selected=chosen.practice == ALL))
    hint = "For example, 2015-04"

    def month_field(name: str, label: str, value: str) -> Markup:
        return el(
            "div",
            el("label", label, for_=name),
            el("span", hint, class_="hint", id=f"{name}-hint"),
            el(
                "input",
                type="text",
                id=name,
                name=name,
                value=value,
                class_="month",
                inputmode="numeric",
                pattern="[0-9]{4}-[0-9]{2}",
                maxlength="7",
                **{"aria-describedby": f"{name}-hint"},
            ),
            class_="field",
        )

    hidden = el("input", type="hidden", name="sdc", value=chosen.sdc) if chosen.sdc else None
    known = (
        el("p", f"The hub has figures from {month_label(span[0])} to {month_label(span[1])}.", class_="span")
        if span
        else None
    )
    form = el(
        "form",
        month_field("from", "From", chosen.period_from),
        month_field("to", "To", chosen.period_to),
        el(
            "div",
            el("label", "Practice", for_="practice"),
            el("select", join(options), id="practice", name="practice"),
            class_="field",
        ),
        hidden,
        el("div", el("button", "Show figures", type="submit", class_="primary"), class_="field"),
        method="get",
        action="/",
        class_="filter",
        role="search",
    )
    return join([form, known])


def _cell(summary: Summary, period: str, code: str, measure: str) -> Markup:
    if (period, code) not in summary.reported:
        return el("td", NOT_REPORTED, class_="gap")
    value = summary.value(period, code, measure)
    return el("td", shown_text(value), class_=None if isinstance(value, int) else "gap")


def _key_table(summary: Summary, code: str, names: Mapping[str, str]) -> Markup:
    head = el("tr", el("th", "Month", scope="col"), join(el("th", label, scope="col") for _, label in KEY_MEASURES))
    rows = []
    for period in summary.months:
        cells = join(_cell(summary, period, code, measure) for measure, _ in KEY_MEASURES)
        rows.append(el("tr", el("th", month_label(period), scope="row"), cells))
    table = el(
        "table",
        el("caption", f"{practice_title(code, names)}, {range_label(summary.period_from, summary.period_to)}"),
        el("thead", head),
        el("tbody", join(rows)),
        id="key-measures",
    )
    return el("div", table, class_="table-wrap")


def _practices_table(summary: Summary, period: str, names: Mapping[str, str]) -> Markup:
    head = el("tr", el("th", "Practice", scope="col"), join(el("th", label, scope="col") for _, label in KEY_MEASURES))
    rows = []
    for code in summary.practices:
        cells = join(_cell(summary, period, code, measure) for measure, _ in KEY_MEASURES)
        rows.append(el("tr", el("th", practice_title(code, names), scope="row"), cells))
    return el("div", el("table", el("thead", head), el("tbody", join(rows)), id="practices"), class_="table-wrap")


def _every_measure_table(summary: Summary, code: str) -> Markup:
    periods = summary.months
    measures = sorted({r.measure for r in summary.rows if r.practice == code})
    head = el("tr", el("th", "Measure", scope="col"), join(el("th", month_label(p), scope="col") for p in periods))
    rows = [
        el("tr", el("th", measure, scope="row"), join(_cell(summary, p, code, measure) for p in periods))
        for measure in measures
    ]
    return el("div", el("table", el("thead", head), el("tbody", join(rows)), id="every-measure"), class_="table-wrap")


def _key_line() -> Markup:
    return el(
        "p",
        f"* hidden by disclosure control · unknown: cannot be known (a laptop withheld a small figure, or lacks the "
        f"measure) · {NOT_REPORTED} no laptop reported the practice that month",
        class_="key",
    )
