"""The subject access document: everything the vault holds about one participant, as a PDF a
person can read (UK GDPR Article 15). Unlike the action plan it leaves nothing out: health
condition categories, benefits, session notes, every skills inventory completed, and the audit
log's entries about the record.

A4, Noto Sans 11 pt, sections in the order of the record; every page's footer says whose record
it is not (no name in the footer: pages get separated), when it was made and "Page N of M"."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from coachdesk.domain.model import Participant, SkillsInventory
from coachdesk.domain.vocabulary import Vocabulary
from coachdesk.printing import fonts
from coachdesk.printing.action_plan import long_date, numbered_canvas

TITLE = "Subject access: the records CoachDesk holds about you"
RULE = colors.Color(0.45, 0.45, 0.45)
SHADE = colors.Color(0.92, 0.92, 0.92)


@dataclass(frozen=True)
class AuditLine:
    at: str  # the log's UTC timestamp
    action: str


@dataclass(frozen=True)
class SubjectAccessRecord:
    participant: Participant
    practice_name: str
    inventories: Sequence[SkillsInventory]  # every one completed, oldest first
    audit: Sequence[AuditLine]  # oldest first
    made_at: datetime


class _Styles:
    def __init__(self) -> None:
        regular, bold = fonts.register()
        self.regular, self.bold = regular, bold
        self.body = ParagraphStyle("body", fontName=regular, fontSize=11, leading=15, spaceAfter=4)
        self.small = ParagraphStyle("small", parent=self.body, fontSize=9.5, leading=12.5, spaceAfter=0)
        self.cell = ParagraphStyle("cell", parent=self.body, fontSize=10, leading=13, spaceAfter=0)
        self.cell_head = ParagraphStyle("cell_head", parent=self.cell, fontName=bold)
        self.title = ParagraphStyle("title", parent=self.body, fontName=bold, fontSize=20, leading=25, spaceAfter=10)
        self.h1 = ParagraphStyle(
            "h1", parent=self.body, fontName=bold, fontSize=14, leading=18, spaceBefore=12, spaceAfter=6
        )
        self.h2 = ParagraphStyle(
            "h2", parent=self.body, fontName=bold, fontSize=11.5, leading=15, spaceBefore=6, spaceAfter=3
        )


def _text(value: object) -> str:
    if value is None or value in ("", []):
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Vocabulary):
        return value.label
    if isinstance(value, datetime):
        return f"{long_date(value.date(), weekday=False)} {value:%H:%M}"
    if isinstance(value, date):
        return long_date(value, weekday=False)
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value)
    return str(value)


def _nhs(number: str | None) -> str | None:
    """943 476 5919, as the NHS groups it."""
    return f"{number[:3]} {number[3:6]} {number[6:]}" if number and len(number) == 10 else number


def _p(value: object, style: ParagraphStyle) -> Paragraph:
    # Line breaks in notes are kept; everything is escaped (a note may hold "<" or "&").
    return Paragraph(escape(_text(value)).replace("\n", "<br/>"), style)


# Every table: rows ruled below, text at the top of its cell.
_RULED = [
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
    ("TOPPADDING", (0, 0), (-1, -1), 3),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
]


def _facts(rows: Iterable[tuple[str, object]], s: _Styles, width: float) -> Table:
    data = [[Paragraph(escape(label), s.cell_head), _p(value, s.cell)] for label, value in rows]
    table = Table(data, colWidths=[width * 0.32, width * 0.68], hAlign="LEFT")
    table.setStyle(TableStyle(_RULED))
    return table


def _grid(headers: Sequence[str], rows: list[list[object]], widths: Sequence[float], s: _Styles) -> Table:
    data = [[Paragraph(escape(h), s.cell_head) for h in headers]]
    data += [[_p(v, s.cell) for v in row] for row in rows]
    table = Table(data, colWidths=list(widths), repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([*_RULED, ("BACKGROUND", (0, 0), (-1, 0), SHADE)]))  # a shaded header row
    return table


def _none(s: _Styles, text: str) -> Paragraph:
    return Paragraph(escape(text), s.body)


def _story(r: SubjectAccessRecord, s: _Styles, width: float) -> list[Flowable]:
    p = r.participant
    story: list[Flowable] = [
        Paragraph(escape(TITLE), s.title),
        Paragraph(
            escape(
                f"This document lists everything CoachDesk holds about {p.display_name}: the details, every session "
                f"and its notes, the skills inventories, goals, employer contacts, outcomes, and the log of what was "
                f"done to the record. It was made on {_text(r.made_at)}."
            ),
            s.body,
        ),
        Paragraph("Your details", s.h1),
        _facts(
            [
                ("Name", f"{p.given_name} {p.family_name}"),
                ("Preferred name", p.preferred_name),
                ("Date of birth", p.date_of_birth),
                ("Sex", p.sex),
                ("NHS number", _nhs(p.nhs_number)),
                ("Phone", p.phone),
                ("Email", p.email),
                ("Postcode", p.postcode),
                ("Record id", p.id),
            ],
            s,
            width,
        ),
        Paragraph("Referral and consent", s.h1),
        _facts(
            [
                ("GP practice", f"{r.practice_name} ({p.practice})"),
                ("Referred on", p.referral_date),
                ("Referred by", p.referral_source),
                ("Consent to the service given on", p.consent.service),
                ("Consent to share with the GP team", p.consent.share_with_gp),
                ("Consent to contact employers", p.consent.contact_employers),
                ("Employment status at referral", p.employment_status),
                ("Benefits at referral", p.benefits_at_referral),
                ("Health condition categories", p.conditions),
            ],
            s,
            width,
        ),
    ]
    if p.benefit_changes:
        story += [
            Paragraph("Benefit changes", s.h2),
            _grid(
                ["Date", "Benefits from then"],
                [[c.date, c.benefits] for c in p.benefit_changes],
                [width * 0.32, width * 0.68],
                s,
            ),
        ]

    story += [CondPageBreak(40 * mm), Paragraph(f"Sessions ({len(p.sessions)})", s.h1)]
    if not p.sessions:
        story.append(_none(s, "No sessions are recorded."))
    for session in p.sessions:
        heading = f"{_text(session.start)} · {session.type.label} · {session.attendance.label}"
        if session.minutes:
            heading += f" · {session.minutes} minutes"
        story.append(KeepTogether([Paragraph(escape(heading), s.h2), _p(session.notes or "No notes.", s.body)]))

    story += [CondPageBreak(40 * mm), Paragraph("Skills inventory", s.h1)]
    if not r.inventories:
        story.append(_none(s, "No skills inventory is recorded."))
    for inv in r.inventories:
        story += _inventory(inv, s, width)

    story += [CondPageBreak(40 * mm), Paragraph(f"Goals ({len(p.goals)})", s.h1)]
    if not p.goals:
        story.append(_none(s, "No goals are recorded."))
    for goal in p.goals:
        facts = f"{goal.category.label} · set {_text(goal.created)} · {goal.status.label}"
        if goal.target_date:
            facts += f" · target {_text(goal.target_date)}"
        if goal.closed_on:
            facts += f" · closed {_text(goal.closed_on)}"
        block: list[Flowable] = [Paragraph(escape(goal.title), s.h2), Paragraph(escape(facts), s.small)]
        if goal.steps:
            block.append(Spacer(1, 3))
            block.append(
                _grid(
                    ["Step", "Who", "By when", "Done"],
                    [[st.text, st.owner, st.due, st.done] for st in goal.steps],
                    [width * 0.52, width * 0.16, width * 0.2, width * 0.12],
                    s,
                )
            )
        story.append(KeepTogether(block))

    story += [CondPageBreak(40 * mm), Paragraph(f"Employer contacts ({len(p.employer_contacts)})", s.h1)]
    if p.employer_contacts:
        story.append(
            _grid(
                ["Date", "Employer", "Kind", "Notes"],
                [[c.date, c.employer, c.kind, c.notes] for c in p.employer_contacts],
                [width * 0.22, width * 0.25, width * 0.15, width * 0.38],
                s,
            )
        )
    else:
        story.append(_none(s, "No employer contacts are recorded."))

    story += [Paragraph(f"Outcomes ({len(p.outcomes)})", s.h1)]
    if p.outcomes:
        story.append(
            _grid(
                ["Date", "Outcome", "Employer", "Hours a week", "Pay an hour"],
                [
                    [
                        o.date,
                        o.type,
                        o.employer,
                        o.hours_per_week,
                        f"£{o.hourly_pay_pence / 100:.2f}" if o.hourly_pay_pence is not None else None,
                    ]
                    for o in p.outcomes
                ],
                [width * 0.22, width * 0.22, width * 0.26, width * 0.14, width * 0.16],
                s,
            )
        )
    else:
        story.append(_none(s, "No outcomes are recorded."))

    story += [
        Paragraph("Action plans given", s.h1),
        _p(p.action_plans_issued or "None.", s.body),
        Paragraph("Closure", s.h1),
        _p(f"Closed on {_text(p.closed.date)}: {p.closed.reason.label}." if p.closed else "The case is open.", s.body),
        CondPageBreak(40 * mm),
        Paragraph(f"What was done to the record ({len(r.audit)})", s.h1),
        Paragraph(
            "CoachDesk's audit log notes each change to the record, when it was made (UTC), and never its content.",
            s.body,
        ),
    ]
    if r.audit:
        story.append(
            _grid(
                ["When (UTC)", "What"],
                [[line.at[:19].replace("T", " "), line.action] for line in r.audit],
                [width * 0.32, width * 0.68],
                s,
            )
        )
    return story


def _inventory(inv: SkillsInventory, s: _Styles, width: float) -> list[Flowable]:
    prefs = inv.preferences
    hours = "—"
    if prefs.min_hours is not None or prefs.max_hours is not None:
        hours = f"{prefs.min_hours if prefs.min_hours is not None else '?'} to {prefs.max_hours or '?'} hours a week"
    out: list[Flowable] = [
        Paragraph(escape(f"Completed on {_text(inv.completed_on)}"), s.h2),
        _facts(
            [
                ("Jobs wanted", prefs.job_types),
                ("Hours", hours),
                ("Longest journey", f"{prefs.max_travel_minutes} minutes" if prefs.max_travel_minutes else None),
                ("Barriers", inv.barriers),
                ("Skills (confidence 1–5)", [f"{sk.name} ({sk.confidence})" for sk in inv.skills]),
                (
                    "Qualifications",
                    [f"{q.title} ({q.level.label}{f', {q.year}' if q.year else ''})" for q in inv.qualifications],
                ),
            ],
            s,
            width,
        ),
    ]
    if inv.work_history:
        out += [
            Spacer(1, 4),
            _grid(
                ["Employer", "Role", "From", "To", "Why it ended"],
                [[w.employer, w.role, w.start, w.end, w.reason_left] for w in inv.work_history],
                [width * 0.25, width * 0.22, width * 0.13, width * 0.13, width * 0.27],
                s,
            ),
        ]
    return out


def _footer(made_on: date) -> Callable[[Canvas, int], None]:
    made = long_date(made_on, weekday=False)

    def draw(canvas: Canvas, total: int) -> None:
        canvas.setFont(fonts.REGULAR, 8.5)
        canvas.setFillColor(RULE)
        canvas.drawString(18 * mm, 10 * mm, f"Subject access record made by CoachDesk on {made}. Confidential.")
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"Page {canvas._pageNumber} of {total}")

    return draw


def render(record: SubjectAccessRecord) -> bytes:
    """The subject access PDF, in memory."""
    s = _Styles()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=20 * mm,
        title=TITLE,
        author="CoachDesk",
        creator="CoachDesk",
        lang="en-GB",
    )
    doc.build(_story(record, s, doc.width), canvasmaker=numbered_canvas(_footer(record.made_at.date())))
    return out.getvalue()
