"""The files a branch render writes beside its report: summary.json and the staff work lists.

The branch plan is one model (toolkit.branch.plan); these files are rendered from it, like the
report's sections, never recomputed beside it. Phones are masked in every work list; names stay,
staff need them.
"""

from __future__ import annotations

import json
from pathlib import Path

from toolkit.branch.actions import BranchPlanning
from toolkit.branch.plan import BranchPlan
from toolkit.report.calendar_ics import write_ics
from toolkit.report.summary import branch_summary
from toolkit.report.worklists import write_forum_invitees_xlsx, write_visits_xlsx

#: The staff work lists, in the order `write_branch_files` returns them after summary.json.
WORK_FILES = ("visits.xlsx", "visits.ics", "forum_invitees.xlsx")


def write_branch_files(plan: BranchPlan, folder: str | Path) -> list[Path]:
    """summary.json (CONTRACT §7), visits.xlsx, visits.ics and forum_invitees.xlsx (always, with a
    note when there is no forum) in `folder`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    summary = folder / "summary.json"
    summary.write_text(json.dumps(branch_summary(plan), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return [summary, *write_work_lists(plan.planning, folder, plan.language)]


def write_work_lists(planning: BranchPlanning, folder: str | Path, language: str = "zh") -> list[Path]:
    """visits.xlsx, visits.ics and forum_invitees.xlsx of the plan month's actions, in `language`
    (the planning holds codes and notices only; the branch's params choose the language)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [
        write_visits_xlsx(folder / WORK_FILES[0], planning.visits, language, greetings=planning.greetings),
        write_ics(folder / WORK_FILES[1], planning.branch_id, planning.visits.schedule, planning.forum,
                  planning.salons, language),
        write_forum_invitees_xlsx(folder / WORK_FILES[2], planning.forum, language, planning.salons,
                                  note=planning.forum_note),
    ]
