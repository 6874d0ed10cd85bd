"""The client's stage of life and the ratio benchmarks that go with it (settings.life_stage).

A retired household lives on its pension and savings: a 60% savings ratio is not a goal for it,
so its savings benchmark (and whatever else `retired_benchmarks` names) comes from the settings,
and the diagnosis, the emergency-fund rule and the plan's advice all read the same benchmarks.
"""

from __future__ import annotations

import pandas as pd

from toolkit.base.settings import LifeStageSettings, RatioBenchmarks

STAGES: tuple[str, ...] = ("working", "retired")


def stage(age: int | None, family: pd.DataFrame | None, settings: LifeStageSettings | None = None) -> str:
    """'retired' from the retirement age or when the client's own occupation says so, else 'working'."""
    s = settings or LifeStageSettings()
    if age is not None and age >= s.retirement_age:
        return "retired"
    if family is not None and not family.empty and "occupation" in family:
        own = family.loc[family["member"] == "self", "occupation"].dropna().astype(str)
        if any(w.lower() in o.lower() for o in own for w in s.retired_words):
            return "retired"
    return "working"


def benchmarks(base: RatioBenchmarks, life_stage: str, settings: LifeStageSettings | None = None) -> RatioBenchmarks:
    """The benchmarks of `life_stage`: the base ones with the stage's overrides."""
    s = settings or LifeStageSettings()
    if life_stage != "retired" or not s.retired_benchmarks:
        return base
    return base.model_copy(update=dict(s.retired_benchmarks))
