"""params/example_branch.yaml is what users copy: it must validate, name every key the params model
takes and show each one at its default (README: "shows every key with its default")."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from pydantic import BaseModel

from toolkit.base.settings import ForumSettings
from toolkit.inputs.params import BranchParams, load_branch_params

EXAMPLE = Path(__file__).resolve().parents[2] / "params" / "example_branch.yaml"


def _uncommented(text: str) -> str:
    """The example with its optional keys (period, as_of, the forum block) switched on."""
    return re.sub(r"(?m)^# (?=[a-z_]+:|  )", "", text)


def _copy(tmp_path: Path, text: str) -> Path:
    """The example where it lives (params/), next to the data/sample/ layout its paths name (the sample
    bank itself is written by `make demo`, not part of a clone)."""
    clients = tmp_path / "data" / "sample" / "clients"
    clients.mkdir(parents=True)
    (clients / "clients_2026-11.csv").write_text("client_id\n", encoding="utf-8")
    out = tmp_path / "params" / "example_branch.yaml"
    out.parent.mkdir()
    out.write_text(text, encoding="utf-8")
    return out


def _missing_keys(model: type[BaseModel], raw: dict, where: str = "") -> list[str]:
    """Fields of `model` (and of its nested settings models) that `raw` does not name."""
    missing = []
    for name, field in model.model_fields.items():
        if name not in raw:
            missing.append(where + name)
            continue
        sub = field.annotation
        for candidate in (sub, *getattr(sub, "__args__", ())):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel) and isinstance(raw[name], dict):
                missing += _missing_keys(candidate, raw[name], f"{where}{name}.")
    return missing


def test_example_validates_with_every_setting_at_its_default(tmp_path: Path):
    p = load_branch_params(_copy(tmp_path, EXAMPLE.read_text(encoding="utf-8")))
    defaults = BranchParams(branch_id="B001", branch_name="x", data={"clients": ["c.csv"], "staff": "s.xlsx"})
    skip = {"branch_id", "branch_name", "data", "period", "as_of", "forum"}
    assert p.model_dump(exclude=skip) == defaults.model_dump(exclude=skip)
    assert p.forum is None and p.as_of is None  # commented out: no forum, hand-out day by default
    assert {"corporate_clients", "holdings", "fact_finds"} <= p.data.model_fields_set


def test_example_names_every_key_and_its_commented_keys_validate(tmp_path: Path):
    text = _uncommented(EXAMPLE.read_text(encoding="utf-8"))
    raw = yaml.safe_load(text)
    assert _missing_keys(BranchParams, raw) == []
    p = load_branch_params(_copy(tmp_path, text))
    assert p.as_of is not None and p.period is not None and p.forum is not None
    assert p.forum.venue == "三楼会议室"
    defaults = ForumSettings(window=p.forum.window)
    assert p.forum.model_dump(exclude={"venue"}) == defaults.model_dump(exclude={"venue"})
