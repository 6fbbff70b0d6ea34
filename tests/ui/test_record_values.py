"""The record page's text parsing (money, dates, whole numbers) and the distance-travelled comparison."""

from __future__ import annotations

from datetime import date

import pytest

from coachdesk.domain.errors import ValidationError
from coachdesk.domain.model import Skill, SkillsInventory


@pytest.fixture(autouse=True)
def _qt(qapp) -> None:
    return None


@pytest.mark.parametrize(
    ("typed", "pence"),
    [
        ("9.40", 940),
        ("£9.40", 940),
        ("940p", 940),
        ("940 p", 940),
        ("£9", 900),
        ("9.4", 940),
        (" £ 12.05 ", 1205),
        ("0.99", 99),
        ("£0.05", 5),
        ("10", 1000),
        ("", None),
        ("  ", None),
    ],
)
def test_pay_is_read_exactly_in_pence(typed: str, pence: int | None) -> None:
    from coachdesk.ui.record.parsing import parse_pence

    assert parse_pence(typed, "outcomes[0].hourly_pay_pence") == pence


@pytest.mark.parametrize("typed", ["abc", "9.405", "£9.999", "9,40", "-1", "£", "9.40p", "£9.40.1", "1e3", "9."])
def test_pay_that_is_not_money_is_refused_naming_the_field(typed: str) -> None:
    from coachdesk.ui.record.parsing import parse_pence

    with pytest.raises(ValidationError) as caught:
        parse_pence(typed, "outcomes[2].hourly_pay_pence")
    assert caught.value.path == "outcomes[2].hourly_pay_pence"


def test_more_than_two_decimals_is_refused_not_rounded() -> None:
    from coachdesk.ui.record.parsing import parse_pence

    with pytest.raises(ValidationError, match="more than two decimal places"):
        parse_pence("9.405", "p")


def test_pence_are_shown_as_pounds_and_pence() -> None:
    from coachdesk.ui.record.parsing import format_pence

    assert [format_pence(v) for v in (940, 5, 1000, 0, None)] == ["£9.40", "£0.05", "£10.00", "£0.00", ""]


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("05/10/2026", date(2026, 10, 5)),
        ("5/1/2026", date(2026, 1, 5)),
        ("5.1.2026", date(2026, 1, 5)),
        ("2026-01-05", date(2026, 1, 5)),
        ("", None),
    ],
)
def test_british_dates(typed: str, day: date | None) -> None:
    from coachdesk.ui.formats import edit_date
    from coachdesk.ui.record.parsing import parse_date

    assert parse_date(typed, "x") == day
    if day:
        assert parse_date(edit_date(day), "x") == day


@pytest.mark.parametrize("typed", ["31/02/2026", "12/13/2026", "tomorrow", "05/10/26"])
def test_bad_dates_name_the_field(typed: str) -> None:
    from coachdesk.ui.record.parsing import parse_date

    with pytest.raises(ValidationError) as caught:
        parse_date(typed, "goals[1].target_date")
    assert caught.value.path == "goals[1].target_date"


def test_required_date_may_not_be_empty() -> None:
    from coachdesk.ui.record.parsing import parse_date

    with pytest.raises(ValidationError):
        parse_date(" ", "sessions[0].start", required=True)


def test_whole_numbers() -> None:
    from coachdesk.ui.record.parsing import parse_whole_number

    assert parse_whole_number(" 16 ", "h") == 16
    assert parse_whole_number("", "h") is None
    for bad in ("16.5", "sixteen", "-3"):
        with pytest.raises(ValidationError):
            parse_whole_number(bad, "h")


def test_display_dates_are_british() -> None:
    from coachdesk.ui.record.fields import long_date

    assert long_date(date(2026, 11, 23)) == "23 Nov 2026"
    assert long_date(date(2025, 9, 1)) == "1 Sep 2025"


def _inventory(on: date, skills: dict[str, int], barriers: list[str]) -> SkillsInventory:
    return SkillsInventory(
        completed_on=on, skills=[Skill(name=n, confidence=c) for n, c in skills.items()], barriers=barriers
    )


def test_distance_travelled_compares_first_and_latest() -> None:
    from coachdesk.ui.record.distance import distance_travelled, signed

    history = [
        _inventory(date(2026, 1, 5), {"Cooking": 2, "Driving": 4, "Customer service": 3}, ["childcare", "confidence"]),
        _inventory(date(2026, 2, 5), {"Cooking": 5}, ["childcare"]),  # a middle one is not compared
        _inventory(date(2026, 4, 5), {"cooking ": 4, "Driving": 3, "Spreadsheets": 2}, ["Confidence", "travel costs"]),
    ]
    result = distance_travelled(history)
    assert result is not None
    by_name = {s.name: s for s in result.skills}
    assert (by_name["Cooking"].first, by_name["Cooking"].latest, by_name["Cooking"].change) == (2, 4, 2)
    assert by_name["Driving"].change == -1
    assert by_name["Customer service"].latest is None and by_name["Customer service"].change is None
    assert by_name["Spreadsheets"].first is None
    assert result.skills_added == ["Spreadsheets"]
    assert result.barriers_removed == ["childcare"]
    assert result.barriers_added == ["travel costs"]
    assert (result.first_on, result.latest_on, result.inventories) == (date(2026, 1, 5), date(2026, 4, 5), 3)
    assert (result.rose, result.fell) == (1, 1)
    assert [signed(2), signed(-1), signed(0)] == ["+2", "\u22121", "0"]


def test_distance_travelled_needs_two_inventories() -> None:
    from coachdesk.ui.record.distance import distance_travelled

    assert distance_travelled([]) is None
    assert distance_travelled([_inventory(date(2026, 1, 5), {"Cooking": 2}, [])]) is None
