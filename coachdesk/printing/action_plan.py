"""The printed action plan: an `ActionPlan` (coachdesk.services.plans) into PDF bytes, in memory.

Written for someone who may have low literacy, low vision or English as a second language: plain
English, short left-aligned lines, large clear type (13 pt standard, 18 pt large print), headings
kept with what follows them, dates written out in full, and nothing but what the plan carries (it
has no health, benefit or note fields to print). A4 with margins of at least 20 mm; every page's
footer says that the plan belongs to the reader (without their name) and "Page N of M".
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)

from coachdesk.domain.months import MONTH_NAMES
from coachdesk.printing import fonts
from coachdesk.services.plans import ActionPlan, Appointment, Contact

TITLE = "Action plan"
LANGUAGE = "en-GB"
CREATOR = "CoachDesk"
FOOTER_LINES = ("This plan belongs to you.", "You can ask your coach to change it at any time.")
FOOTER = " ".join(FOOTER_LINES)
FOOTER_GAP = 6 * mm
MEASURE_CHARACTERS = 60  # the longest body line, in characters of ordinary English text
AVERAGE_CHARACTER = 0.48  # Noto Sans, in ems, measured on English sentences
INK = colors.black
RULE = colors.Color(0.45, 0.45, 0.45)
HEADER_FILL = colors.Color(0.88, 0.88, 0.88)

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def long_date(day: date, weekday: bool = True) -> str:
    """'Monday 7 December 2026' (English names whatever the machine's locale)."""
    text = f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"
    return f"{_DAYS[day.weekday()]} {text}" if weekday else text


def clock_time(moment: datetime) -> str:
    """GOV.UK style: '10am', '2:30pm', 'midday'."""
    if moment.hour == 12 and moment.minute == 0:
        return "midday"
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}{suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d}{suffix}"


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class _Sizes:
    body: float
    heading: float
    title: float
    footer: float
    margin: float  # left, right and top; the bottom margin adds the footer's room

    @property
    def leading(self) -> float:
        return round(self.body * 1.45, 1)


STANDARD = _Sizes(body=13, heading=18, title=26, footer=12, margin=22 * mm)
LARGE = _Sizes(body=18, heading=24, title=32, footer=16, margin=20 * mm)


class _Styles:
    def __init__(self, sizes: _Sizes, frame_width: float) -> None:
        regular, bold = fonts.register()
        self.regular, self.bold, self.sizes = regular, bold, sizes
        measure = MEASURE_CHARACTERS * AVERAGE_CHARACTER * sizes.body
        indent = max(0.0, frame_width - measure)
        base = {"textColor": INK, "alignment": TA_LEFT, "allowWidows": 0, "allowOrphans": 0}
        self.body = ParagraphStyle(
            "body",
            fontName=regular,
            fontSize=sizes.body,
            leading=sizes.leading,
            rightIndent=indent,
            spaceAfter=sizes.body * 0.5,
            **base,
        )
        self.strong = ParagraphStyle("strong", parent=self.body, fontName=bold)
        self.bullet = ParagraphStyle(
            "bullet",
            parent=self.body,
            leftIndent=sizes.body * 1.4,
            bulletIndent=sizes.body * 0.2,
            bulletFontName=bold,
            bulletFontSize=sizes.body,
            spaceAfter=sizes.body * 0.3,
        )
        # The date under a goal: close to its goal, with a clear gap before the next goal.
        self.bullet_note = ParagraphStyle(
            "bullet_note", parent=self.bullet, spaceBefore=-sizes.body * 0.2, spaceAfter=sizes.body * 0.6
        )
        # A sentence that introduces a list: a gap above it separates it from the list before.
        self.lead = ParagraphStyle("lead", parent=self.body, spaceBefore=sizes.body * 0.4, spaceAfter=sizes.body * 0.3)
        self.heading = ParagraphStyle(
            "heading",
            fontName=bold,
            fontSize=sizes.heading,
            leading=round(sizes.heading * 1.25, 1),
            spaceBefore=sizes.heading * 0.9,
            spaceAfter=sizes.heading * 0.35,
            keepWithNext=1,
            **base,
        )
        self.title = ParagraphStyle(
            "title",
            fontName=bold,
            fontSize=sizes.title,
            leading=round(sizes.title * 1.2, 1),
            spaceAfter=sizes.body * 0.6,
            **base,
        )
        self.name = ParagraphStyle(
            "name",
            parent=self.body,
            fontName=bold,
            fontSize=round(sizes.body * 1.25),
            leading=round(sizes.body * 1.25 * 1.3, 1),
            spaceAfter=sizes.body * 0.2,
        )
        self.cell = ParagraphStyle("cell", fontName=regular, fontSize=sizes.body, leading=sizes.leading, **base)
        self.cell_head = ParagraphStyle("cell_head", parent=self.cell, fontName=bold)


def _p(text: str, style: ParagraphStyle, bullet: str | None = None) -> Paragraph:
    """A paragraph of plain text (never markup: names and goals may hold '<' or '&')."""
    return Paragraph(escape(text), style, bulletText=bullet)


def _section(styles: _Styles, heading: str, body: list[Flowable]) -> Flowable:
    """A heading and its content, moved to the next page together when they would not fit."""
    return KeepTogether([_p(heading, styles.heading), *body])


def _title(plan: ActionPlan, s: _Styles) -> list[Flowable]:
    return [
        _p("My action plan", s.title),
        _p(f"For {plan.name}", s.name),
        _p(f"Made on {long_date(plan.issued, weekday=False)}", s.body),
        _p("This plan shows what you want to do and the steps you and your coach agreed.", s.body),
    ]


def _goals(plan: ActionPlan, s: _Styles) -> Flowable:
    if not plan.goals:
        return _section(
            s,
            "My goals",
            [
                _p("You and your coach have not set goals yet.", s.body),
                _p(
                    "At your next meeting you will talk about the work you would like to do, "
                    "and agree your first steps together.",
                    s.body,
                ),
            ],
        )
    items: list[Flowable] = []
    for goal in plan.goals:
        items.append(_p(goal.title, s.bullet, "•"))
        if goal.target_date and goal.target_date >= plan.issued:  # a date already gone would only discourage
            items.append(_p(f"By {long_date(goal.target_date)}", s.bullet_note))
    return _section(s, "My goals", items)


def _when_cell(day: date | None, issued: date) -> str:
    """'Saturday 28' over 'November 2026': the only place the line may break is after the day."""
    if day is None:
        return "When\xa0you are\xa0ready"
    if day < issued:
        return "As soon as you\xa0can"
    return f"{_DAYS[day.weekday()]}\xa0{day.day} {MONTH_NAMES[day.month - 1]}\xa0{day.year}"


def _steps(plan: ActionPlan, s: _Styles, width: float) -> list[Flowable]:
    if not plan.steps:
        text = (
            "Your first steps will be written here when you have agreed them with your coach."
            if not plan.goals
            else "There is nothing to do just now. Your coach will agree the next steps with you."
        )
        return [_section(s, "My next steps", [_p(text, s.body)])]
    heading = _p("My next steps", s.heading)
    intro = _p("Do them one at a time. It is fine to ask for help.", s.body)
    size, font = s.sizes.body, s.regular
    pad = size * 0.5
    # Standard print keeps "Someone else" on one line; large print lets it wrap to leave room for "What".
    who_text = "Someone else" if not plan.large_print else "Someone"
    who_width = max(stringWidth(who_text, s.bold, size), stringWidth("Who", s.bold, size)) + 2 * pad + 2
    longest = ("Wednesday\xa030", "September\xa02026", "As soon as")
    when_width = max(stringWidth(t, font, size) for t in longest) + 2 * pad + 2
    widths = [width - who_width - when_width, who_width, when_width]
    rows: list[list[Flowable]] = [[Paragraph(t, s.cell_head) for t in ("What", "Who", "By when")]]
    for step in plan.steps:
        rows.append(
            [
                Paragraph(escape(step.what), s.cell),
                Paragraph(escape(step.who), s.cell),
                Paragraph(_when_cell(step.by_when, plan.issued), s.cell),
            ]
        )
    table = Table(rows, colWidths=widths, repeatRows=1, splitByRow=1, splitInRow=0, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, size),  # else the table names Helvetica, which is not embedded
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("LINEBELOW", (0, 0), (-1, -1), 0.75, RULE),
                ("BOX", (0, 0), (-1, -1), 0.75, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), pad),
                ("RIGHTPADDING", (0, 0), (-1, -1), pad),
                ("TOPPADDING", (0, 0), (-1, -1), pad * 0.8),
                ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
            ]
        )
    )
    # Keep the heading, the sentence under it, the table's header and the first step on one page.
    needed = s.heading.spaceBefore + s.heading.spaceAfter + s.body.spaceAfter
    needed += _height(heading, width) + _height(intro, width)
    for row in rows[:2]:
        needed += max(_height(cell, w - 2 * pad) for cell, w in zip(row, widths, strict=True)) + 1.8 * pad
    return [CondPageBreak(needed), heading, intro, table]


def _height(flowable: Flowable, width: float) -> float:
    return flowable.wrap(width, 10_000)[1]


def _strengths(plan: ActionPlan, s: _Styles) -> Flowable:
    body: list[Flowable] = []
    if plan.skills:
        body.append(_p("You are good at:", s.lead))
        body += [_p(skill, s.bullet, "•") for skill in plan.skills]
    if plan.job_types:
        body.append(_p("Work you would like to do:", s.lead))
        body += [_p(_upper_first(job), s.bullet, "•") for job in plan.job_types]
    hours = _hours_sentence(*plan.hours)
    if hours:
        body.append(_p(hours, s.lead))
    if not body:
        body.append(_p("You and your coach will talk about what you are good at and the work you would like.", s.body))
    return _section(s, "My strengths", body)


def _hours_sentence(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        if low == high:
            return f"You would like to work {low} hours a week."
        return f"You would like to work between {low} and {high} hours a week."
    if low is not None:
        return f"You would like to work at least {low} hours a week."
    if high is not None:
        return f"You would like to work up to {high} hours a week."
    return ""


def duration(minutes: int) -> str:
    """'45 minutes', 'an hour', 'an hour and a half', '2 hours'."""
    hours, rest = divmod(minutes, 60)
    if hours == 0:
        return f"{minutes} minutes"
    whole = "an hour" if hours == 1 else f"{hours} hours"
    if rest == 0:
        return whole
    if rest == 30:
        return f"{whole} and a half"
    return f"{whole} and {rest} minutes"


def _appointment(appointment: Appointment | None, s: _Styles) -> Flowable:
    if appointment is None:
        return _section(
            s,
            "My next appointment",
            [
                _p("There is no appointment booked yet.", s.body),
                _p("Your coach will get in touch with you to book one.", s.body),
            ],
        )
    start = appointment.start
    body = [_p(long_date(start.date()), s.strong), _p(f"At {clock_time(start)}", s.strong)]
    if appointment.kind == "telephone":
        body.append(_p("Your coach will phone you.", s.body))
    elif appointment.kind == "video":
        body.append(_p("This is a video call. Your coach will tell you how to join.", s.body))
    else:
        body.append(_p(f"At {appointment.practice}", s.body))
    if appointment.minutes:
        body.append(_p(f"It will take about {duration(appointment.minutes)}.", s.body))
    body.append(_p("If you cannot come, please tell your coach.", s.body))
    return _section(s, "My next appointment", body)


def _contact(contact: Contact, s: _Styles) -> Flowable:
    body: list[Flowable] = []
    if contact.coach_name:
        body.append(_p(f"Your coach is {contact.coach_name}.", s.body))
    if contact.phone:
        body.append(_p(f"Phone: {contact.phone}", s.body))
    if contact.email:
        body.append(_p(f"Email: {contact.email}", s.body))
    if contact.practice:
        if contact.phone or contact.email:
            body.append(_p(f"Your coach works at {contact.practice}.", s.body))
        else:
            body.append(_p(f"Ask at the reception of {contact.practice} for your employment coach.", s.body))
    if contact.programme:
        body.append(_p(f"Your coach is part of {contact.programme}.", s.body))
    return _section(s, "Who to contact", body)


def numbered_canvas(footer: Callable[[Canvas, int], None]) -> type[Canvas]:
    """A canvas that holds its pages until the end, so each footer can say 'Page N of M':
    `footer(canvas, total)` draws the footer of the page the canvas is on."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            self._pages: list[dict[str, object]] = []

        def showPage(self) -> None:  # reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                footer(self, total)
                super().showPage()
            super().save()

    return NumberedCanvas


def _footer(sizes: _Sizes) -> Callable[[Canvas, int], None]:
    def draw(canvas: Canvas, total: int) -> None:
        regular, bold = fonts.register()
        width = canvas._pagesize[0] - 2 * sizes.margin
        leading = sizes.footer * 1.35
        lines = _footer_lines(sizes, width)
        bottom = sizes.margin - sizes.footer * 0.3  # the page number's baseline
        y = bottom + leading * len(lines)  # drawn top down, so the text reads in order
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.75)
        canvas.line(sizes.margin, y + leading * 0.85, sizes.margin + width, y + leading * 0.85)
        canvas.setFillColor(INK)
        canvas.setFont(regular, sizes.footer)
        for line in lines:
            canvas.drawString(sizes.margin, y, line)
            y -= leading
        canvas.setFont(bold, sizes.footer)
        canvas.drawString(sizes.margin, bottom, f"Page {canvas._pageNumber} of {total}")
        canvas.restoreState()

    return draw


def _footer_lines(sizes: _Sizes, width: float) -> list[str]:
    regular = fonts.register()[0]
    return [part for line in FOOTER_LINES for part in simpleSplit(line, regular, sizes.footer, width)]


def _footer_height(sizes: _Sizes, width: float) -> float:
    return (len(_footer_lines(sizes, width)) + 1) * sizes.footer * 1.35 + FOOTER_GAP


def render(plan: ActionPlan) -> bytes:
    """The plan as a PDF (A4), built in memory: nothing is written to disk."""
    sizes = LARGE if plan.large_print else STANDARD
    page_width, page_height = A4
    width = page_width - 2 * sizes.margin
    bottom = sizes.margin + _footer_height(sizes, width)
    styles = _Styles(sizes, width)
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=sizes.margin,
        rightMargin=sizes.margin,
        topMargin=sizes.margin,
        bottomMargin=bottom,
        title=TITLE,
        subject="The goals and next steps agreed with an employment coach",
        author=CREATOR,
        creator=CREATOR,
        lang=LANGUAGE,
        initialFontName=styles.regular,
    )
    frame = Frame(
        sizes.margin,
        bottom,
        width,
        page_height - sizes.margin - bottom,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    doc.addPageTemplates([PageTemplate(id="plan", frames=[frame])])
    story: list[Flowable] = [
        *_title(plan, styles),
        _goals(plan, styles),
        *_steps(plan, styles, width),
        _strengths(plan, styles),
        _appointment(plan.appointment, styles),
        _contact(plan.contact, styles),
    ]
    doc.build(story, canvasmaker=numbered_canvas(_footer(sizes)))
    return buffer.getvalue()
