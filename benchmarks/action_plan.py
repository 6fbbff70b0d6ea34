"""Action plan PDF benchmark: median time to render a typical plan and a 30-step plan.

A typical plan is a demo participant's (three goals, a handful of steps, strengths, an appointment);
the long one has 30 steps. Loading the fonts (once per process) is timed apart, and medians
exclude the first render. Target (issue 4): typical plan < 100 ms.

    python benchmarks/action_plan.py [--repeat N] [--render DIR]

--render DIR also writes the standard and large-print plans of three demo participants to DIR as
PDF and, when poppler's pdftoppm is installed, PNG at 80 dpi (how docs/screenshots/action-plan*.png
were made: page 1 of the first participant's plans).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

from coachdesk.domain.model import Participant
from coachdesk.domain.vocabulary import GoalStatus
from coachdesk.printing import action_plan, fonts
from coachdesk.services import demo, plans

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 9, 0)
PROGRAMME = "islington-working-better"
CONTACT = plans.CoachContact(name="Sam Okafor", phone="020 7946 0123", email="sam.okafor@example.org")


def median_ms(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def demo_participants(count: int = 3) -> list[Participant]:
    """The first open demo participants with an open goal (seed 7)."""
    codes = [code for code, _ in demo.DEMO_PRACTICES]
    chosen = []
    for p in demo.generate(200, 7, codes, TODAY):
        if p.is_open and any(g.status is GoalStatus.OPEN for g in p.goals):
            chosen.append(p)
            if len(chosen) == count:
                break
    return chosen


def plan_of(p: Participant, large_print: bool = False) -> plans.ActionPlan:
    names = dict(demo.DEMO_PRACTICES)
    return plans.plan_for(p, names[p.practice], PROGRAMME, TODAY, NOW, contact=CONTACT, large_print=large_print)


def with_steps(plan: plans.ActionPlan, count: int) -> plans.ActionPlan:
    owners = ("You", "Your coach", "Someone else")
    steps = tuple(
        plans.PlanStep(
            f"Step {i}: look at vacancies on the council's jobs page and note two to ask about",
            owners[i % 3],
            TODAY + timedelta(days=2 * i),
        )
        for i in range(1, count + 1)
    )
    return replace(plan, steps=steps)


def render_examples(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    pdftoppm = shutil.which("pdftoppm")
    for i, p in enumerate(demo_participants()):
        for large_print in (False, True):
            stem = folder / f"plan-{i + 1}-{'large' if large_print else 'standard'}"
            stem.with_suffix(".pdf").write_bytes(action_plan.render(plan_of(p, large_print)))
            if pdftoppm:
                subprocess.run([pdftoppm, "-png", "-r", "80", str(stem.with_suffix(".pdf")), str(stem)], check=True)
    print(f"wrote the plans of three demo participants to {folder}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--render", type=Path, metavar="DIR")
    args = parser.parse_args()

    start = time.perf_counter()
    fonts.register()
    fonts.unsupported_characters("Zoë")
    print(f"loading the fonts (once per process): {(time.perf_counter() - start) * 1000:.0f} ms")
    typical = plan_of(demo_participants(1)[0])
    long = with_steps(typical, 30)
    cases = {
        "typical plan": typical,
        "typical plan, large print": replace(typical, large_print=True),
        "30-step plan": long,
        "30-step plan, large print": replace(long, large_print=True),
    }
    start = time.perf_counter()
    action_plan.render(typical)
    print(f"first render: {(time.perf_counter() - start) * 1000:.0f} ms")
    for name, plan in cases.items():
        pages = action_plan.render(plan).count(b"/Type /Page\n")
        median, worst = median_ms(lambda plan=plan: action_plan.render(plan), args.repeat)
        print(f"{name:<28} median {median:6.1f} ms   max {worst:6.1f} ms   ({len(plan.steps)} steps, {pages} pages)")
    typical_ms = median_ms(lambda: action_plan.render(typical), args.repeat)[0]
    print(f"target: typical plan < 100 ms -> {'met' if typical_ms < 100 else 'NOT met'} ({typical_ms:.1f} ms)")
    if args.render:
        render_examples(args.render)


if __name__ == "__main__":
    main()
