"""What-if scenarios: a TOML file of changes, applied to an instance as a pure function.

A scenario lists what changes against the instance (see the README, section "What-if"):

.. code-block:: toml

    name = "Wang falls ill"
    out = ["M07"]                    # members out: their status becomes "suspended"

    [[member]]                       # change fields of an existing member
    id = "M12"
    unavailable_rounds = ["R2"]

    [[new-member]]                   # a new row of the members table (same fields)
    id = "M99"
    name = "Zhao Lei"
    unit = "U03"

    [[group]]                        # change fields of an existing group
    id = "G2"
    size_max = 6
    requires = "finance:1;audit:2"

    [[new-group]]                    # a new row of the groups table
    id = "G9"
    targets = ["U08"]

    remove-groups = ["G3"]           # also drops their pins and affinity rows

    [[new-unit]]                     # a new row of the units table
    id = "U30"

    [[conflict]]                     # a new row of the conflicts table
    member_a = "M01"
    member_b = "M02"

    [[pin]]                          # a new row of the pins table
    member = "M05"
    group = "G1"
    kind = "require"

    [rules.party-branch]             # rule settings and modes, merged over the instance's
    mode = "soft"

A file may also hold many scenarios as ``[[scenario]]`` tables, each with the keys above
(``[[scenario.member]]``, ``[scenario.rules.party-branch]``, ...).

:func:`apply_scenario` returns a new :class:`~teamsolver.data.instance.Instance` and validates
it like any input: a problem is an :class:`~teamsolver.data.errors.InputError` naming the
scenario file, the line and the key.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import UnionType
from typing import Any, Literal, NamedTuple, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationError

from ..data.errors import InputError, Problem, as_phrase, did_you_mean, place_of, plain_phrase
from ..data.instance import Conflict, Group, Instance, Member, Pin, Row, TableOrigin, Unit
from ..data.settings import parse_rules
from ..i18n.phrase import NOTHING, Listed, Phrase, Shown
from ..validation import validate_instance

Path_ = tuple[str | int, ...]

#: Array-of-tables keys that add rows: scenario key -> (table, row model).
NEW_ROWS: dict[str, tuple[str, type[Row]]] = {
    "new-member": ("members", Member),
    "new-unit": ("units", Unit),
    "new-group": ("groups", Group),
    "conflict": ("conflicts", Conflict),
    "pin": ("pins", Pin),
}
#: Array-of-tables keys that change rows found by ``id``: scenario key -> (table, row model).
CHANGED_ROWS: dict[str, tuple[str, type[Row]]] = {
    "member": ("members", Member),
    "group": ("groups", Group),
}
#: Every key a scenario may hold.
KEYS: tuple[str, ...] = (
    "name",
    "description",
    "out",
    "remove-groups",
    *CHANGED_ROWS,
    *NEW_ROWS,
    "rules",
)
#: The status a member named in ``out`` gets.
OUT_STATUS = "suspended"


class Scenario(BaseModel):
    """One scenario: its ``name``, the ``changes`` as read from TOML, and where they came from.

    ``lines`` maps a key path inside the file (e.g. ``("scenario", 2, "member", 0, "id")``) to
    its line; ``prefix`` is the path of this scenario's table in the file (empty for a file that
    is one scenario).
    """

    model_config = ConfigDict(frozen=True)

    name: str
    file: str
    changes: dict[str, Any]
    lines: dict[Path_, int] = {}
    prefix: Path_ = ()

    @classmethod
    def from_text(cls, text: str, file: str = "scenario.toml") -> list[Scenario]:
        """The scenarios of a TOML text: one, or one per ``[[scenario]]`` table."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
            message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
            column = Phrase("problem.toml.column", n=match.group(2)) if match else NOTHING
            raise InputError(
                [
                    Problem(
                        phrase=Phrase(
                            "problem.toml.invalid", reason=message, column=column, hint=NOTHING
                        ),
                        file=file,
                        row=int(match.group(1)) if match else None,
                        row_word="line",
                    )
                ]
            ) from None
        lines = toml_key_lines(text)
        stem = Path(file).stem
        if "scenario" not in data:
            name = data.get("name", stem)
            return [cls(name=str(name), file=file, changes=data, lines=lines)]
        extra = [k for k in data if k != "scenario"]
        items = data["scenario"]
        if extra or not isinstance(items, list):
            key = extra[0] if extra else "scenario"
            raise InputError(
                [
                    cls(name=stem, file=file, changes={}, lines=lines).problem(
                        (key,),
                        key,
                        Phrase("problem.scenario.only_scenarios"),
                    )
                ]
            )
        return [
            cls(
                name=str(body.get("name", f"{stem}#{i + 1}")),
                file=file,
                changes=body,
                lines=lines,
                prefix=("scenario", i),
            )
            for i, body in enumerate(items)
        ]

    @classmethod
    def empty(cls, name: str = "empty") -> Scenario:
        return cls(name=name, file=name, changes={})

    def line(self, *path: str | int) -> int | None:
        """The line of ``path`` (below this scenario's table), or of its nearest parent."""
        full = (*self.prefix, *path)
        while full:
            if full in self.lines:
                return self.lines[full]
            full = full[:-1]
        return None

    def column(self, key: str, field: str | None = None) -> str:
        """How a message names a key: ``out``, ``[[member]] rating``, or in a file of many
        scenarios ``[[scenario]] out``, ``[[scenario.member]] rating``."""
        if field is None and key not in CHANGED_ROWS and key not in NEW_ROWS:
            return f"[[scenario]] {key}" if self.prefix else key
        table = f"[[{'scenario.' if self.prefix else ''}{key}]]"
        return f"{table} {field}" if field else table

    def order(self, problem: Problem) -> tuple[int, int]:
        """Sort key of problems: this file's first, in line order."""
        return (0, problem.row or 0) if problem.file == self.file else (1, 0)

    def problem(self, path: Path_, column: str, message: str | Phrase) -> Problem:
        return Problem(
            phrase=as_phrase(message),
            file=self.file,
            row=self.line(*path),
            column=column,
            row_word="line",
        )


def read_scenarios(path: str | Path) -> list[Scenario]:
    """The scenarios of a TOML file, or of every ``*.toml`` file of a folder (sorted by name).

    Scenario names must be unique; a name not given is the file's stem (``#n`` for the n-th
    ``[[scenario]]`` of a file).
    """
    path = Path(path)
    if not path.exists():
        raise InputError([Problem(phrase=Phrase("problem.file.no_path"), file=str(path))])
    paths = sorted(path.glob("*.toml")) if path.is_dir() else [path]
    if not paths:
        raise InputError([Problem(phrase=Phrase("problem.scenario.none"), file=str(path))])
    scenarios: list[Scenario] = []
    problems: list[Problem] = []
    for p in paths:
        try:
            text = p.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            phrase = Phrase("problem.scenario.not_utf8", byte=exc.start + 1)
            problems.append(Problem(phrase=phrase, file=str(p)))
            continue
        try:
            scenarios.extend(Scenario.from_text(text, str(p)))
        except InputError as exc:
            problems.extend(exc.problems)
    seen: dict[str, Scenario] = {}
    for s in scenarios:
        if s.name in seen:
            problems.append(
                s.problem(
                    ("name",), "name", Phrase("problem.scenario.name_twice", name=Shown(s.name))
                )
            )
        seen[s.name] = s
    if problems:
        raise InputError(problems)
    return scenarios


# -- where each key is -----------------------------------------------------------------------
_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(
    r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*="""
)


def _split_key(dotted: str) -> list[str]:
    parts = re.findall(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""", dotted)
    return [p.strip("\"'") for p in parts]


def toml_key_lines(text: str) -> dict[Path_, int]:
    """The line of every table header and key of a TOML text, by key path.

    Arrays of tables count their items: the second ``[[member]]`` is ``("member", 1)``. Keys
    inside inline tables and multi-line values are not indexed (their parent key is).
    """
    lines: dict[Path_, int] = {}
    counts: dict[Path_, int] = {}
    arrays: set[Path_] = set()  # array-of-tables paths, without an index
    current: Path_ = ()
    depth = 0  # brackets still open from a multi-line value

    def resolve(names: list[str]) -> Path_:
        path: Path_ = ()
        for name in names:
            path = (*path, name)
            if path in arrays:
                path = (*path, counts[path] - 1)
        return path

    for number, line in enumerate(text.splitlines(), 1):
        if depth > 0:
            depth += line.count("[") - line.count("]")
            continue
        header = _HEADER.match(line)
        if header:
            names = _split_key(header.group(2))
            parent = resolve(names[:-1])
            base = (*parent, names[-1])
            if header.group(1) == "[[":
                arrays.add(base)
                counts[base] = counts.get(base, 0) + 1
                current = (*base, counts[base] - 1)
            else:
                current = base
            lines.setdefault(current, number)
            continue
        key = _KEY.match(line)
        if key:
            path = (*current, *_split_key(key.group(1)))
            lines.setdefault(path, number)
            value = line[key.end() :].split("#", 1)[0]
            depth = max(0, value.count("[") - value.count("]"))
    return lines


# -- applying --------------------------------------------------------------------------------
def apply_scenario(instance: Instance, scenario: Scenario) -> Instance:
    """The instance with the scenario's changes; raises :class:`InputError` naming the scenario
    file, line and key of every problem (an unknown member, group or key, a bad value, or a
    change that leaves the instance unusable), all in one go and in line order.

    The changed instance is validated even when some changes are bad: a bad value is left out
    (the row keeps its old value, or its default for a new row) and the rows with errors count
    as unread, so that one mistake does not hide the others nor cause follow-up problems.
    """
    applier = _Applier(instance, scenario)
    changed = applier.run()
    found = validate_instance(changed, broken={"members": applier.broken})
    located = [q for q in (applier.locate(p) for p in found) if q is not None]
    problems = [*applier.problems, *located]
    if any(p.severity == "error" for p in problems):
        raise InputError(sorted(problems, key=scenario.order))
    return changed


class _Where(NamedTuple):
    """Where a row of the changed instance came from: a file and row, and for a row the
    scenario added or changed, its path in the scenario file."""

    file: str
    row: int | None
    word: str
    path: Path_ | None = None


class _Applier:
    def __init__(self, instance: Instance, scenario: Scenario):
        self.base = instance
        self.s = scenario
        self.problems: list[Problem] = []
        #: Ids of member rows the scenario got wrong: unread for the cross-table checks.
        self.broken: list[str] = []
        #: (table, index) of new rows whose id is already taken (reported here, once).
        self.duplicates: set[tuple[str, int]] = set()
        self.tables: dict[str, list[Row]] = {
            t: list(getattr(instance, t))
            for t in ("members", "units", "groups", "conflicts", "history", "pins", "affinity")
        }
        self.where: dict[str, list[_Where]] = {}
        for table, rows in self.tables.items():
            origin = instance.origin(table)
            self.where[table] = [_origin_of(origin, table, i) for i in range(len(rows))]

    def add(self, path: Path_, column: str, message: str | Phrase) -> None:
        self.problems.append(self.s.problem(path, column, message))

    def run(self) -> Instance:
        changes = self.s.changes
        for key in changes:
            if key not in KEYS:
                self.add(
                    (key,),
                    self.s.column(key),
                    Phrase(
                        "problem.scenario.unknown_key",
                        key=Shown(key),
                        hint=did_you_mean(key, KEYS),
                        keys=Listed(KEYS),
                    ),
                )
        for key in ("name", "description"):
            if key in changes and not isinstance(changes[key], str):
                phrase = Phrase("problem.scenario.text", field=key)
                self.add((key,), self.s.column(key), phrase)
        self._out()
        for key, (table, model) in CHANGED_ROWS.items():
            for i, body in enumerate(self._tables(key)):
                self._change(key, i, body, table, model)
        self._remove_groups()
        for key, (table, model) in NEW_ROWS.items():
            for i, body in enumerate(self._tables(key)):
                self._new(key, i, body, table, model)
        rules = self.base.rules
        if "rules" in changes:
            rules = self._rules(changes["rules"])
        return Instance.model_validate(
            {
                **{t: tuple(rows) for t, rows in self.tables.items()},
                "rules": rules,
            }
        )

    def _tables(self, key: str) -> list[dict[str, Any]]:
        value = self.s.changes.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.add((key,), self.s.column(key), Phrase("problem.scenario.tables", key=key))
            return []
        return value

    def _ids(self, key: str) -> list[str]:
        value = self.s.changes.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add((key,), self.s.column(key), Phrase("problem.scenario.ids", key=key))
            return []
        return value

    def _index(self, table: str, row_id: str) -> int | None:
        for i, row in enumerate(self.tables[table]):
            if getattr(row, "id", None) == row_id:
                return i
        return None

    def _unknown(self, table: str, word: str, row_id: str) -> Phrase:
        ids = tuple(str(getattr(r, "id", "")) for r in self.tables[table])
        near = _nearest_id(row_id, ids)
        hint = NOTHING if near is None else Phrase("problem.near.paren", near=Shown(near))
        return Phrase(f"problem.scenario.unknown.{word}", id=Shown(row_id), hint=hint)

    def _out(self) -> None:
        for member_id in self._ids("out"):
            i = self._index("members", member_id)
            if i is None:
                self.add(
                    ("out",), self.s.column("out"), self._unknown("members", "member", member_id)
                )
                continue
            row = self.tables["members"][i]
            self.tables["members"][i] = row.model_copy(update={"status": OUT_STATUS})

    def _change(self, key: str, i: int, body: dict[str, Any], table: str, model: type[Row]) -> None:
        path: Path_ = (key, i)
        row_id = body.get("id")
        if not isinstance(row_id, str):
            self.add(
                (*path, "id"),
                self.s.column(key, "id"),
                Phrase(f"problem.scenario.needs_id.{key}"),
            )
            return
        index = self._index(table, row_id)
        if index is None:
            self.add((*path, "id"), self.s.column(key, "id"), self._unknown(table, key, row_id))
            return
        row = self._row(path, key, model, body, self.tables[table][index].model_dump())
        if row is not None:
            self.tables[table][index] = row
            self.where[table][index] = _Where(self.s.file, self.s.line(*path), "line", path)

    def _row(
        self,
        path: Path_,
        key: str,
        model: type[Row],
        body: dict[str, Any],
        old: dict[str, Any] | None = None,
    ) -> Row | None:
        """The row of ``body`` (over ``old`` for a change), every problem reported; a bad
        field is left out (its old or default value stays). None when no row can be made."""
        fields = tuple(model.model_fields)
        good: dict[str, Any] = {}
        for field, value in body.items():
            if field not in fields:
                self.add(
                    (*path, field),
                    self.s.column(key, field),
                    Phrase(
                        f"problem.scenario.unknown_field.{key.removeprefix('new-')}",
                        field=Shown(field),
                        hint=did_you_mean(field, fields),
                        valid=Listed(fields),
                    ),
                )
            elif (wrong := _wrong_type(model, field, value)) is not None:
                self.add((*path, field), self.s.column(key, field), wrong)
            else:
                good[field] = value
        bad = len(good) < len(body)
        data = {**(old or {}), **good}
        try:
            row = model.model_validate(data)
        except ValidationError as exc:
            bad = True
            failed: set[str] = set()
            for err in exc.errors():
                name = str(err["loc"][0]) if err["loc"] else None
                if name in body and name not in good:  # its type is reported already
                    continue
                self.add(
                    (*path, name) if name else path,
                    self.s.column(key, name),
                    plain_phrase(err, echo=name != "name"),
                )
                if name is not None:
                    failed.add(name)
            rest = {f: v for f, v in good.items() if f not in failed}
            try:  # again without the bad values, to check the rest against the instance
                row = model.model_validate({**(old or {}), **rest})
            except ValidationError:
                row = None
        if bad and model is Member and isinstance(data.get("id"), str):
            self.broken.append(data["id"])
        return row

    def _remove_groups(self) -> None:
        gone: set[str] = set()
        for group_id in self._ids("remove-groups"):
            if self._index("groups", group_id) is None:
                self.add(
                    ("remove-groups",),
                    self.s.column("remove-groups"),
                    self._unknown("groups", "group", group_id),
                )
            gone.add(group_id)
        if not gone:
            return
        for table, attr in (("groups", "id"), ("pins", "group"), ("affinity", "group")):
            keep = [i for i, r in enumerate(self.tables[table]) if getattr(r, attr) not in gone]
            self.tables[table] = [self.tables[table][i] for i in keep]
            self.where[table] = [self.where[table][i] for i in keep]

    def _new(self, key: str, i: int, body: dict[str, Any], table: str, model: type[Row]) -> None:
        path: Path_ = (key, i)
        row = self._row(path, key, model, body)
        if row is None:
            return
        row_id = getattr(row, "id", None)
        taken = self._index(table, row_id) if isinstance(row_id, str) else None
        if taken is not None:
            first = self.where[table][taken]
            word = key.removeprefix("new-")
            use = Phrase(f"problem.scenario.use.{word}") if word in CHANGED_ROWS else NOTHING
            if first.path is None:
                at = Phrase(f"problem.where.{first.word}", n=first.row)
                at = Phrase("problem.scenario.at", file=first.file, at=at)
                said = Phrase(f"problem.scenario.taken.{word}", id=Shown(row_id), at=at, use=use)
            elif first.path[0] in NEW_ROWS:
                said = Phrase(
                    "problem.scenario.added", id=Shown(row_id), key=key, line=first.row, use=use
                )
            else:
                said = Phrase(
                    f"problem.scenario.changed.{word}", id=Shown(row_id), line=first.row, use=use
                )
            self.add((*path, "id"), self.s.column(key, "id"), said)
            self.duplicates.add((table, len(self.tables[table])))
        self.tables[table].append(row)
        self.where[table].append(_Where(self.s.file, self.s.line(*path), "line", path))

    def _rules(self, body: Any) -> Any:
        if not isinstance(body, dict):
            self.add(("rules",), self.s.column("rules"), Phrase("problem.scenario.rules"))
            return self.base.rules
        merged = _merge(self.base.rules.to_dict(), body)

        def line_of(section: str, key: str | None) -> int | None:
            return self.s.line("rules", section, *([key] if key else []))

        rules, problems = parse_rules(merged, self.s.file, line_of, "line")
        head = "[" + ".".join((*(str(k) for k in self.s.prefix[:1]), "rules")) + "."
        for p in problems:  # "[party-branch] min" -> "[rules.party-branch] min"
            column = p.column or ""
            if column.startswith("["):
                column = head + column[1:]
            self.problems.append(p.model_copy(update={"column": column}))
        return rules

    def locate(self, p: Problem) -> Problem | None:
        """A problem of the changed instance, pointed at the file and row the row came from:
        the scenario line of the key for a row the scenario added or changed. None for a
        duplicate id already reported."""
        after = self._after(p)
        if p.table not in self.where or p.row is None or p.file != p.table:
            return p.model_copy(update={"message": str(after), "phrase": after})
        index = p.row - 1
        if (p.table, index) in self.duplicates and p.column == "id":
            return None
        where = self.where[p.table][index]
        if where.path is None:
            return p.model_copy(
                update={
                    "file": where.file,
                    "place": place_of(where.file),
                    "row": where.row,
                    "row_word": where.word,
                    "message": str(after),
                    "phrase": after,
                }
            )
        key = str(where.path[0])
        suggested = self._suggest(p)
        return p.model_copy(
            update={
                "file": self.s.file,
                "place": None,
                "row": self.s.line(*where.path, *([p.column] if p.column else [])),
                "row_word": "line",
                "column": self.s.column(key, p.column),
                "header": None,
                "message": str(suggested),
                "phrase": suggested,
            }
        )

    def _after(self, p: Problem) -> Phrase:
        """``p``'s sentence, then `` (after scenario 'name')``."""
        what = as_phrase(p.phrase or p.message)
        return Phrase("problem.scenario.after", what=what, name=Shown(self.s.name))

    def _suggest(self, p: Problem) -> Phrase:
        """An unknown id in a problem of the cross-table checks, said as the scenario's own
        checks say it: with a did-you-mean."""
        phrase = as_phrase(p.phrase or p.message)
        table = _UNKNOWN_ID.get(phrase.key)
        if table is None or table not in self.tables:
            return phrase
        shown = phrase.values["id"]
        return self._unknown(table, phrase.key.rpartition(".")[2], shown.values["value"])


#: How :mod:`teamsolver.validation` says that a row names an id its table lacks: the phrase
#: key and the table.
_UNKNOWN_ID = {
    "problem.check.unknown.unit": "units",
    "problem.check.unknown.member": "members",
    "problem.check.unknown.group": "groups",
}


def _wrong_type(model: type[Row], field: str, value: Any) -> Phrase | None:
    """What is expected, when a TOML value has a type the field would misread (``requires = 5``
    read as the specialty "5"); None when the type is right (or left to the row's own check)."""
    annotation = model.model_fields[field].annotation
    args = [a for a in get_args(annotation) if a is not type(None)]
    base = (
        args[0] if get_origin(annotation) in (Union, UnionType) and len(args) == 1 else annotation
    )
    what: Phrase | None = None
    if base is str or get_origin(base) is Literal:
        if not isinstance(value, str):
            what = Phrase("problem.scenario.text", field=field)
    elif base == tuple[str, ...]:
        if not isinstance(value, str) and not (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        ):
            what = Phrase("problem.scenario.text_list", field=field)
    elif base == tuple[tuple[str, int], ...] and not isinstance(value, str | dict):
        what = Phrase("problem.scenario.requires", field=field)
    if what is None or field == "name":  # names stay out of messages
        return what
    return Phrase("problem.got", what=what, got=Shown(value))


_CONFUSABLE = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1"})


def nearest_id(word: str, ids: Iterable[str]) -> str:
    """`` (did you mean 'M10'?)`` for the id most like ``word``, or ``""``.

    Ids are compared with O/0 and l/I/1 made the same and case ignored (``M1O`` is ``M10``),
    by :class:`difflib.SequenceMatcher` ratio (at least 0.5); ties go to the smaller edit
    distance of the ids as typed, then to the first id in order.
    """
    best = _nearest_id(word, ids)
    return f" (did you mean {best!r}?)" if best else ""


def _nearest_id(word: str, ids: Iterable[str]) -> str | None:
    """The id of :func:`nearest_id`, or None."""

    def norm(text: str) -> str:
        return text.translate(_CONFUSABLE).casefold()

    typed = norm(word)
    best: tuple[float, int, str] | None = None
    for candidate in dict.fromkeys(ids):
        ratio = difflib.SequenceMatcher(None, typed, norm(candidate)).ratio()
        key = (-ratio, _edit_distance(word, candidate), candidate)
        if ratio >= 0.5 and (best is None or key[:2] < best[:2]):
            best = key
    return best[2] if best else None


def _edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: insertions, deletions and substitutions."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def _origin_of(origin: TableOrigin | None, table: str, i: int) -> _Where:
    if origin is None or i >= len(origin.rows):
        return _Where(table, i + 1, "item")
    return _Where(origin.file, origin.rows[i], origin.row_word)


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out
