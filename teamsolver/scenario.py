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

:func:`apply_scenario` returns a new :class:`~teamsolver.instance.Instance` and validates it like
any input: a problem is an :class:`~teamsolver.errors.InputError` naming the scenario file, the
line and the key.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from .errors import InputError, Problem, plain_message, raise_if_errors
from .instance import Conflict, Group, Instance, Member, Pin, Row, TableOrigin, Unit
from .settings import _nearest, parse_rules
from .validation import validate_instance

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
            raise InputError(
                [
                    Problem(
                        message=f"not valid TOML: {message}"
                        + (f" (column {match.group(2)})" if match else ""),
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
                        "a file of many scenarios holds only [[scenario]] tables; "
                        "put every change inside one of them",
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

    def problem(self, path: Path_, column: str, message: str) -> Problem:
        return Problem(
            message=message,
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
        raise InputError([Problem(message="no such file or folder", file=str(path))])
    paths = sorted(path.glob("*.toml")) if path.is_dir() else [path]
    if not paths:
        raise InputError([Problem(message="the folder holds no .toml scenario", file=str(path))])
    scenarios: list[Scenario] = []
    problems: list[Problem] = []
    for p in paths:
        try:
            text = p.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            problems.append(Problem(message=f"not UTF-8 text (byte {exc.start + 1})", file=str(p)))
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
                    ("name",), "name", f"scenario name {s.name!r} is used twice; names are unique"
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
    change that leaves the instance unusable)."""
    applier = _Applier(instance, scenario)
    changed = applier.run()
    raise_if_errors(applier.problems)
    problems = [applier.locate(p) for p in validate_instance(changed)]
    raise_if_errors(problems)
    return changed


class _Applier:
    def __init__(self, instance: Instance, scenario: Scenario):
        self.base = instance
        self.s = scenario
        self.problems: list[Problem] = []
        self.tables: dict[str, list[Row]] = {
            t: list(getattr(instance, t))
            for t in ("members", "units", "groups", "conflicts", "history", "pins", "affinity")
        }
        # Where each row came from, for messages: (file, row, word) per table index.
        self.where: dict[str, list[tuple[str, int | None, str]]] = {}
        for table, rows in self.tables.items():
            origin = instance.origin(table)
            self.where[table] = [_origin_of(origin, table, i) for i in range(len(rows))]

    def add(self, path: Path_, column: str, message: str) -> None:
        self.problems.append(self.s.problem(path, column, message))

    def run(self) -> Instance:
        changes = self.s.changes
        for key in changes:
            if key not in KEYS:
                self.add(
                    (key,),
                    key,
                    f"unknown key {key!r}{_nearest(key, KEYS)}; valid keys: {', '.join(KEYS)}",
                )
        for key in ("name", "description"):
            if key in changes and not isinstance(changes[key], str):
                self.add((key,), key, "expected text")
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
            self.add((key,), key, f"expected [[{key}]] tables")
            return []
        return value

    def _ids(self, key: str) -> list[str]:
        value = self.s.changes.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add((key,), key, f'expected a list of ids, e.g. {key} = ["M07"]')
            return []
        return value

    def _index(self, table: str, row_id: str) -> int | None:
        for i, row in enumerate(self.tables[table]):
            if getattr(row, "id", None) == row_id:
                return i
        return None

    def _unknown(self, table: str, word: str, row_id: str) -> str:
        ids = tuple(str(getattr(r, "id", "")) for r in self.tables[table])
        return f"unknown {word} {row_id!r}{_nearest(row_id, ids)}"

    def _out(self) -> None:
        for member_id in self._ids("out"):
            i = self._index("members", member_id)
            if i is None:
                self.add(("out",), "out", self._unknown("members", "member", member_id))
                continue
            row = self.tables["members"][i]
            self.tables["members"][i] = row.model_copy(update={"status": OUT_STATUS})

    def _change(self, key: str, i: int, body: dict[str, Any], table: str, model: type[Row]) -> None:
        path: Path_ = (key, i)
        word = key
        row_id = body.get("id")
        if not isinstance(row_id, str):
            self.add((*path, "id"), f"[[{key}]] id", f"each [[{key}]] needs the id of the {word}")
            return
        index = self._index(table, row_id)
        if index is None:
            self.add((*path, "id"), f"[[{key}]] id", self._unknown(table, word, row_id))
            return
        fields = tuple(model.model_fields)
        good = True
        for field in body:
            if field not in fields:
                self.add(
                    (*path, field),
                    f"[[{key}]] {field}",
                    f"unknown field {field!r} of a {word}{_nearest(field, fields)}",
                )
                good = False
        if not good:
            return
        old = self.tables[table][index].model_dump()
        row = self._validated(path, key, model, {**old, **body})
        if row is not None:
            self.tables[table][index] = row
            self.where[table][index] = (self.s.file, self.s.line(*path), "line")

    def _validated(
        self, path: Path_, key: str, model: type[Row], data: dict[str, Any]
    ) -> Row | None:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                field = str(err["loc"][0]) if err["loc"] else None
                self.add(
                    (*path, field) if field else path,
                    f"[[{key}]]" + (f" {field}" if field else ""),
                    plain_message(err, echo=field != "name"),
                )
            return None

    def _remove_groups(self) -> None:
        gone: set[str] = set()
        for group_id in self._ids("remove-groups"):
            if self._index("groups", group_id) is None:
                self.add(
                    ("remove-groups",), "remove-groups", self._unknown("groups", "group", group_id)
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
        fields = tuple(model.model_fields)
        unknown = [f for f in body if f not in fields]
        for field in unknown:
            self.add(
                (*path, field),
                f"[[{key}]] {field}",
                f"unknown field {field!r}{_nearest(field, fields)}; valid: {', '.join(fields)}",
            )
        if unknown:
            return
        row = self._validated(path, key, model, body)
        if row is not None:
            self.tables[table].append(row)
            self.where[table].append((self.s.file, self.s.line(*path), "line"))

    def _rules(self, body: Any) -> Any:
        if not isinstance(body, dict):
            self.add(("rules",), "rules", "expected [rules.<rule id>] tables")
            return self.base.rules
        merged = _merge(self.base.rules.to_dict(), body)

        def line_of(section: str, key: str | None) -> int | None:
            return self.s.line("rules", section, *([key] if key else []))

        rules, problems = parse_rules(merged, self.s.file, line_of, "line")
        for p in problems:  # "[party-branch] min" -> "[rules.party-branch] min"
            column = p.column or ""
            if column.startswith("["):
                column = "[rules." + column[1:]
            self.problems.append(p.model_copy(update={"column": column}))
        return rules

    def locate(self, p: Problem) -> Problem:
        """A problem of the changed instance, pointed at the file and row the row came from."""
        if p.table not in self.where or p.row is None or p.file != p.table:
            return p.model_copy(update={"message": f"{p.message} (after scenario {self.s.name!r})"})
        file, row, word = self.where[p.table][p.row - 1]
        return p.model_copy(
            update={
                "file": file,
                "row": row,
                "row_word": word,
                "message": p.message
                + ("" if file == self.s.file else f" (after scenario {self.s.name!r})"),
            }
        )


def _origin_of(origin: TableOrigin | None, table: str, i: int) -> tuple[str, int | None, str]:
    if origin is None or i >= len(origin.rows):
        return table, i + 1, "item"
    return origin.file, origin.rows[i], origin.row_word


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out
