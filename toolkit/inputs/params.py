"""Params files (CONTRACT §5): YAML validated by pydantic before any notebook runs.

Papermill injects whatever it is given; a typo in a key silently runs the default. Here every
key is typed and unknown keys are an error naming the key and the file. Relative paths resolve
against the params file's own folder, so a params folder can be moved as a whole.
"""

from __future__ import annotations

import datetime as dt
import glob
import re
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import AfterValidator, BeforeValidator, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from toolkit.base.errors import ParamsError, Problem
from toolkit.base.ids import ID_RULE, is_id, shown
from toolkit.base.periods import CompareTo, format_period, parse_period, supported_date, supported_period
from toolkit.base.settings import (
    AssessmentSettings,
    CorporateSettings,
    CoverageSettings,
    ForumSettings,
    GreetingSettings,
    MaturitySettings,
    ProposalSettings,
    ReportSettings,
    SalonSettings,
    Strict,
    TargetSettings,
    Thresholds,
    VisitSettings,
)

Language = Literal["zh", "en"]
M = TypeVar("M", bound=Strict)


#: One file, a list of files or a glob (monthly exports): always a list after validation.
FileList = Annotated[list[str], BeforeValidator(lambda v: [v] if isinstance(v, str) else v)]
#: Ids typed as bare numbers in YAML (`branch_id: 1001`) are still text.
Text = Annotated[str, BeforeValidator(lambda v: str(v) if isinstance(v, int) else v)]


def _valid_id(value: str) -> str:
    """The id rule of toolkit.base.ids: an id names a folder under outputs/, so it is never a path."""
    if not is_id(value):
        raise PydanticCustomError("invalid_id", f"expected an id: {ID_RULE}, never a path")
    return value


#: An id that names an output folder (branch_id, client_id): Text, then the id rule.
Id = Annotated[Text, AfterValidator(_valid_id)]


class BranchData(Strict):
    clients: FileList
    staff: str
    products: str | None = None
    activities: str | None = None
    corporate_clients: str | None = None
    holdings: str | None = None
    #: Fact-find workbooks of the branch's clients (files or a glob): their net assets for the 500万 list.
    fact_finds: FileList = Field(default_factory=list)


class BranchParams(Strict):
    branch_id: Id
    branch_name: Text
    period: str | None = None
    data: BranchData
    compare_to: CompareTo = "previous_month"
    thresholds: Thresholds = Field(default_factory=Thresholds)
    visits: VisitSettings = Field(default_factory=VisitSettings)
    forum: ForumSettings | None = None
    salons: list[SalonSettings] = Field(default_factory=list)
    greetings: GreetingSettings = Field(default_factory=GreetingSettings)
    corporate: CorporateSettings = Field(default_factory=CorporateSettings)
    maturities: MaturitySettings = Field(default_factory=MaturitySettings)
    assessments: AssessmentSettings = Field(default_factory=AssessmentSettings)
    targets: TargetSettings = Field(default_factory=TargetSettings)
    coverage: CoverageSettings = Field(default_factory=CoverageSettings)
    report: ReportSettings = Field(default_factory=ReportSettings)
    #: The day the plan is handed out (nothing is dated before it); default: see toolkit.branch.plan.
    as_of: dt.date | None = None
    extra_holidays: list[dt.date] = Field(default_factory=list)
    extra_workdays: list[dt.date] = Field(default_factory=list)
    language: Language = "zh"
    mask_pii: bool = True

    @field_validator("as_of")
    @classmethod
    def _as_of(cls, v: dt.date | None) -> dt.date | None:
        return None if v is None else supported_date(v, "as_of")

    @field_validator("period", mode="before")
    @classmethod
    def _period(cls, v: Any) -> Any:
        if v is None:
            return None
        if isinstance(v, dt.date):
            v = f"{v.year:04d}-{v.month:02d}"
        if not is_id(v):  # it names the period's output folder: never '..' or '2026-11/../x'
            raise PydanticCustomError("invalid_id", "expected a month like 2026-11, never a path")
        return supported_period(format_period(*parse_period(v)))  # 9999-12 has no plan-month calendar


class ClientData(Strict):
    clients: FileList = Field(default_factory=list)
    products: str
    activities: str | None = None
    #: The staff table (optional): resolves `advisor` to a name and phone for the proposal's cover.
    staff: str | None = None


class ClientParams(Strict):
    client_id: Id
    data: ClientData
    fact_find: str
    as_of: dt.date | None = None
    advisor: Text | None = None
    #: The bank and branch named on the proposal's cover (optional).
    bank_name: Text | None = None
    branch_name: Text | None = None
    language: Language = "zh"
    proposal: ProposalSettings = Field(default_factory=ProposalSettings)
    thresholds: Thresholds = Field(default_factory=Thresholds)
    visits: VisitSettings = Field(default_factory=VisitSettings)

    @field_validator("as_of")
    @classmethod
    def _as_of(cls, v: dt.date | None) -> dt.date | None:
        return None if v is None else supported_date(v, "as_of")  # 9999-12-31 overflowed in the notebook


class _ParamsLoader(yaml.SafeLoader):
    """YAML as analysts write it: a number with a leading zero (`branch_id: 010`) keeps its digits
    as text. YAML 1.1 would read 010 as the octal number 8 and 001 as 1, so ids lost their zeros."""


def _leading_zero_as_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    if re.fullmatch(r"[-+]?0[0-9_]+", node.value):
        return node.value
    return loader.construct_yaml_int(node)


_ParamsLoader.add_constructor("tag:yaml.org,2002:int", _leading_zero_as_text)


def _read_yaml(path: Path) -> dict[str, Any]:
    if path.is_dir():  # e.g. params/branches given where one of its files was meant
        raise ParamsError(Problem(str(path), "is a folder; expected a params file (.yaml) such as "
                                             "params/branches/B001.yaml"))
    if not path.is_file():
        raise ParamsError(Problem(str(path), "params file not found"))
    try:
        raw = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=_ParamsLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        raise ParamsError(Problem(str(path), f"not valid YAML: {getattr(exc, 'problem', exc)}", row=row)) from None
    if not isinstance(raw, dict):
        raise ParamsError(Problem(str(path), "expected a mapping of keys to values at the top level"))
    return raw


def _problems(path: Path, exc: ValidationError) -> list[Problem]:
    out = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "<top>"
        if err["type"] == "extra_forbidden":
            msg = f"unknown key {key!r} (check its spelling; see CONTRACT §5)"
        elif err["type"] == "missing":
            msg = f"required key {key!r} is missing"
        else:
            got = shown(err.get("input")) if err["type"] == "invalid_id" else repr(err.get("input"))
            msg = f"key {key!r}: {err['msg']} (got {got})"
        out.append(Problem(str(path), msg))
    return out


def resolve_paths(patterns: list[str], base: Path) -> list[Path]:
    """Resolve file names or globs against `base`, keeping the given order; globs are sorted."""
    out: list[Path] = []
    for pattern in patterns:
        p = Path(pattern).expanduser()
        p = p if p.is_absolute() else base / p
        if any(ch in pattern for ch in "*?["):
            out.extend(Path(x) for x in sorted(glob.glob(str(p))))
        else:
            out.append(p)
    return out


def _resolve(value: str | None, base: Path) -> str | None:
    if value is None:
        return None
    p = Path(value).expanduser()
    return str(p if p.is_absolute() else _absolute(base / p))


def _absolute(p: Path) -> Path:
    """`p` resolved; a symbolic link loop stays unresolved, for the loader to report it (exit 2)."""
    try:
        return p.resolve()
    except (RuntimeError, OSError):  # Python 3.11 raises RuntimeError("Symlink loop from ...")
        return p.absolute()


def _validated(path: Path, model: type[M], overrides: dict[str, Any] | None) -> M:
    raw = _read_yaml(path)
    raw.update(overrides or {})
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise ParamsError(_problems(path, exc)) from None


def _resolve_all(paths: list[str], base: Path) -> list[str]:
    """A list of files or globs (`FileList`), each match absolute: what a table's loader is handed."""
    return [str(_absolute(p)) for p in resolve_paths(paths, base)]


def load_branch_params(path: str | Path, overrides: dict[str, Any] | None = None) -> BranchParams:
    """Read and validate a branch params file; data paths come back absolute."""
    path = Path(path)
    params = _validated(path, BranchParams, overrides)
    base = path.resolve().parent
    data = params.data.model_copy(update={
        "clients": _resolve_all(params.data.clients, base),
        "staff": _resolve(params.data.staff, base),
        "products": _resolve(params.data.products, base),
        "activities": _resolve(params.data.activities, base),
        "corporate_clients": _resolve(params.data.corporate_clients, base),
        "holdings": _resolve(params.data.holdings, base),
        "fact_finds": _resolve_all(params.data.fact_finds, base),
    })
    if not data.clients:
        raise ParamsError(Problem(str(path), f"data.clients {params.data.clients!r} matches no file"))
    return params.model_copy(update={"data": data})


def load_client_params(path: str | Path, overrides: dict[str, Any] | None = None) -> ClientParams:
    """Read and validate a client (proposal) params file; paths come back absolute."""
    path = Path(path)
    params = _validated(path, ClientParams, overrides)
    base = path.resolve().parent
    data = params.data.model_copy(update={
        "clients": _resolve_all(params.data.clients, base),
        "products": _resolve(params.data.products, base),
        "activities": _resolve(params.data.activities, base),
        "staff": _resolve(params.data.staff, base),
    })
    return params.model_copy(update={"data": data, "fact_find": _resolve(params.fact_find, base)})
