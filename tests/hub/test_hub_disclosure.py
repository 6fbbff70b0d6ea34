"""Disclosure control (formats.md §4) on hand-worked tables, rule by rule, and the merge it is
applied after (highest revision per device and month; sums over devices and practices; nulls make
a sum unknown). Pure functions: no store, no server."""

from __future__ import annotations

import pytest

from coachdesk.domain.errors import ValidationError
from coachdesk.domain.measures import CATALOGUE
from coachdesk.hub.disclosure import NHS, NONE, Rule, control, parse_rule
from coachdesk.hub.store import MergedRow
from coachdesk.hub.summary import ALL, controlled_rows, merge

T5 = Rule("threshold", 5)


def row(**values: int | None) -> dict[str, int | None]:
    """A practice's month: every catalogue measure 0, except `values` (dots written as __)."""
    full: dict[str, int | None] = dict.fromkeys(CATALOGUE, 0)
    for name, value in values.items():
        measure = name.replace("__", ".")
        assert measure in full, measure
        full[measure] = value
    return full


def changed(before: dict[str, int | None], after: dict[str, object]) -> dict[str, object]:
    """Only the figures control changed, or that were not 0 (easier to read than 76 lines)."""
    return {m: after[m] for m in after if after[m] != before[m] or after[m] not in (0,)}


# -- the rules as the operator writes them --------------------------------------------------------


def test_rules_parse_and_print_as_written() -> None:
    assert parse_rule("nhs") == NHS
    assert parse_rule("none") == NONE
    assert parse_rule("threshold:10") == Rule("threshold", 10)
    assert [r.text for r in (NHS, NONE, Rule("threshold", 3))] == ["nhs", "none", "threshold:3"]
    assert NHS.publishable and T5.publishable and not NONE.publishable


@pytest.mark.parametrize("text", ["", "NHS", "threshold", "threshold:", "threshold:0", "threshold:101", "t:5", "none "])
def test_other_rules_are_refused_naming_sdc(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_rule(text)
    assert caught.value.path == "sdc"


# -- nhs --------------------------------------------------------------------------------------------


def test_nhs_keeps_zero_suppresses_one_to_seven_and_rounds_the_rest_to_five() -> None:
    values = [0, 1, 2, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17, 18, 102, 103, 1_000_000]
    shown = control(NHS, {f"m{i}": v for i, v in enumerate(values)})
    assert list(shown.values()) == [0, "*", "*", "*", 10, 10, 10, 10, 10, 15, 15, 15, 15, 20, 100, 105, 1_000_000]


def test_nhs_leaves_unknown_unknown_and_does_no_secondary_suppression() -> None:
    before = row(referrals_received=20, referrals_by_source__gp=3, referrals_by_source__self=17, job_starts=None)
    shown = control(NHS, before)
    assert changed(before, shown) == {
        "referrals_received": 20,
        "referrals_by_source.gp": "*",
        "referrals_by_source.self": 15,  # rounded, not hidden: rounding already blurs the total
        "job_starts": None,
    }


# -- threshold:N -----------------------------------------------------------------------------------


def test_threshold_hides_one_to_n_minus_one_only() -> None:
    shown = control(T5, {"a": 0, "b": 1, "c": 4, "d": 5, "e": 6, "f": None})
    assert shown == {"a": 0, "b": "*", "c": "*", "d": 5, "e": 6, "f": None}


def test_threshold_secondary_suppression_hand_worked() -> None:
    """threshold:5 on one practice's month, worked by hand:
    - referrals_by_source: gp 3 is the only `*`; the total (referrals_received 20) is shown, so
      gp = 20 - 9 - 8 could be worked out: the smallest other non-zero member, jobcentre 8, goes too;
    - new_by_age_band: two `*` already (2 and 4): nothing more;
    - new_by_employment_status: one `*` (1); the smallest other non-zero is 19: hidden;
    - new_by_benefit: one `*` (3), but a participant may hold several benefits, so the group does
      not sum to anything: nothing more;
    - closures: one `*` (2), and no closures total in the catalogue: nothing more."""
    before = row(
        referrals_received=20,
        referrals_by_source__gp=3,
        referrals_by_source__self=9,
        referrals_by_source__jobcentre=8,
        new_by_age_band__16_24=2,
        new_by_age_band__25_34=4,
        new_by_age_band__35_49=14,
        new_by_employment_status__never_worked=1,
        new_by_employment_status__unemployed_1_2y=19,
        new_by_benefit__esa_wrag=3,
        new_by_benefit__jsa=10,
        closures__withdrew=2,
        closures__moved_away=6,
    )
    assert changed(before, control(T5, before)) == {
        "referrals_received": 20,
        "referrals_by_source.gp": "*",
        "referrals_by_source.self": 9,
        "referrals_by_source.jobcentre": "*",  # secondary
        "new_by_age_band.16_24": "*",
        "new_by_age_band.25_34": "*",
        "new_by_age_band.35_49": 14,
        "new_by_employment_status.never_worked": "*",
        "new_by_employment_status.unemployed_1_2y": "*",  # secondary
        "new_by_benefit.esa_wrag": "*",
        "new_by_benefit.jsa": 10,
        "closures.withdrew": "*",
        "closures.moved_away": 6,
    }


def test_no_secondary_suppression_when_the_total_is_hidden_or_unknown() -> None:
    hidden_total = row(referrals_received=4, referrals_by_source__gp=4)
    assert control(T5, hidden_total)["referrals_by_source.gp"] == "*"
    unknown_total = row(referrals_received=None, referrals_by_source__gp=3, referrals_by_source__self=9)
    shown = control(T5, unknown_total)
    assert (shown["referrals_received"], shown["referrals_by_source.gp"], shown["referrals_by_source.self"]) == (
        None,
        "*",
        9,
    )


def test_secondary_suppression_ties_go_to_the_first_in_catalogue_order() -> None:
    before = row(
        referrals_received=25,
        referrals_by_source__self=1,
        referrals_by_source__physio=12,
        referrals_by_source__practice_nurse=12,
    )
    shown = control(T5, before)
    assert shown["referrals_by_source.practice_nurse"] == "*"  # before physio in the catalogue
    assert shown["referrals_by_source.physio"] == 12


def test_an_unknown_member_is_not_a_candidate_for_secondary_suppression() -> None:
    before = row(
        referrals_received=30,
        referrals_by_source__gp=2,
        referrals_by_source__self=None,
        referrals_by_source__other=28,
    )
    shown = control(T5, before)
    assert shown["referrals_by_source.self"] is None
    assert shown["referrals_by_source.other"] == "*"


# -- none --------------------------------------------------------------------------------------------


def test_none_shows_exact_counts_and_is_not_publishable() -> None:
    before = row(referrals_received=3, referrals_by_source__gp=1, job_starts=None)
    assert control(NONE, before) == before
    assert not NONE.publishable


# -- merge, then control ------------------------------------------------------------------------------


def merged(*counts: tuple[str, str, str, int, int, int, int]) -> list[MergedRow]:
    """Rows as the store keeps them, from (period, practice, measure, total of the known values, null
    cells, cells, devices reporting the practice)."""
    rows: dict[tuple[str, str], MergedRow] = {}
    for period, practice, measure, total, unknown, cells, devices in counts:
        row = rows.setdefault((period, practice), MergedRow(period, practice, devices, {}))
        row.figures[measure] = [total, unknown, cells]
    return [rows[key] for key in sorted(rows)]


def test_merge_adds_practices_into_all_and_unknown_spreads_to_every_sum_it_enters() -> None:
    # period, practice, measure, total (known values), unknown cells, cells, devices
    table = merge(
        merged(
            ("2015-10", "P01", "job_starts", 6, 0, 2, 2),
            ("2015-10", "P02", "job_starts", 4, 0, 1, 1),
            ("2015-10", "P01", "sessions_dna", 3, 1, 2, 2),  # one device sent null
            ("2015-10", "P02", "sessions_dna", 9, 0, 1, 1),
            ("2015-11", "P02", "job_starts", 0, 0, 1, 1),
        )
    )
    assert table == {
        ("2015-10", "P01"): {"job_starts": 6, "sessions_dna": None},
        ("2015-10", "P02"): {"job_starts": 4, "sessions_dna": 9},
        ("2015-10", ALL): {"job_starts": 10, "sessions_dna": None},
        ("2015-11", "P02"): {"job_starts": 0},
        ("2015-11", ALL): {"job_starts": 0},
    }


def test_a_measure_some_reporting_devices_lack_is_unknown_not_smaller() -> None:
    """Two devices report P01; only one (a newer catalogue) has `new_measure`."""
    table = merge(
        merged(
            ("2015-10", "P01", "job_starts", 5, 0, 2, 2),
            ("2015-10", "P01", "new_measure", 5, 0, 1, 2),
            ("2015-10", "P02", "job_starts", 1, 0, 1, 1),
        )
    )
    assert table[("2015-10", "P01")]["new_measure"] is None
    assert table[("2015-10", "P02")]["new_measure"] is None  # P02's device has no such measure at all
    assert table[("2015-10", ALL)] == {"job_starts": 6, "new_measure": None}


def test_rows_are_sorted_by_period_practice_all_last_then_measure() -> None:
    table = merge(
        merged(
            ("2015-11", "P02", "sessions_dna", 10, 0, 1, 1),
            ("2015-10", "ZZ9", "job_starts", 10, 0, 1, 1),
            ("2015-10", "A01", "referrals_received", 10, 0, 1, 1),
            ("2015-10", "A01", "job_starts", 10, 0, 1, 1),
        )
    )
    keys = [(r.period, r.practice, r.measure) for r in controlled_rows(table, NONE)]
    assert keys == [
        ("2015-10", "A01", "job_starts"),
        ("2015-10", "A01", "referrals_received"),
        ("2015-10", "ZZ9", "job_starts"),
        ("2015-10", "ZZ9", "referrals_received"),  # A01 has it, ZZ9's devices do not: unknown
        ("2015-10", ALL, "job_starts"),
        ("2015-10", ALL, "referrals_received"),
        ("2015-11", "P02", "sessions_dna"),
        ("2015-11", ALL, "sessions_dna"),
    ]


def test_all_is_controlled_from_the_exact_sum_not_from_shown_figures() -> None:
    """P01 3 and P02 6 are both `*` under nhs; ALL is 9, shown as 10 (never `*` + `*`)."""
    table = merge(
        merged(
            ("2015-10", "P01", "job_starts", 3, 0, 1, 1),
            ("2015-10", "P02", "job_starts", 6, 0, 1, 1),
        )
    )
    shown = {(r.practice, r.value) for r in controlled_rows(table, NHS)}
    assert shown == {("P01", "*"), ("P02", "*"), (ALL, 10)}


def test_a_practice_filter_shows_the_same_figures_as_the_whole_table() -> None:
    table = merge(merged(("2015-10", "P01", "job_starts", 3, 0, 1, 1), ("2015-10", "P02", "job_starts", 9, 0, 1, 1)))
    whole = {(r.practice, r.measure): r.value for r in controlled_rows(table, T5)}
    only = [(r.practice, r.measure, r.value) for r in controlled_rows(table, T5, "P02")]
    assert only == [("P02", "job_starts", whole[("P02", "job_starts")])]
    assert [r.practice for r in controlled_rows(table, T5, ALL)] == [ALL]


def test_the_json_report_is_exactly_what_json_dumps_writes() -> None:
    import json

    from coachdesk.hub.reports import render_json
    from coachdesk.hub.summary import Summary, SummaryRow

    rows = (
        SummaryRow("2015-10", "P01", "job_starts", 10),
        SummaryRow("2015-10", "P-é", "sessions_dna", "*"),
        SummaryRow("2015-10", 'P"\\', "x", None),
        SummaryRow("2015-10", "ALL", "job_starts", 0),
    )
    for summary in (Summary("2015-10", "2015-11", T5, None, rows), Summary("2015-10", "2015-10", NONE, "P01", ())):
        expected = json.dumps(summary.as_json(), ensure_ascii=False, separators=(",", ":")).encode()
        assert render_json(summary) == expected
