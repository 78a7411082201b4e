"""The independent checker: audit any roster against every rule (docs/measures.md).

This is the second implementation of the rules, written in plain Python without the solver: it
never imports ``ortools``, directly or indirectly. Each rule's ``check`` sits in its module beside
the rule's CP-SAT encoding but shares no code with it: it reads the roster through
:class:`~teamsolver.rules.base.Context` and the data (:mod:`teamsolver.data`) only.

:func:`check` builds one read-only :class:`~teamsolver.rules.base.Context` (the indexes every
rule needs) and runs the ``check`` of every rule module whose mode is not ``off``, in the order
of the registry :data:`teamsolver.rules.RULES`.
It accepts any roster, including hand-made ones:

- a seat naming a group that is not in the instance is reported under the pseudo-rule ``roster``
  and otherwise ignored (no rule can judge a seat it cannot place);
- a seat whose ``round`` differs from its group's round is reported under ``roster`` and checked
  as a seat of its group's round (the group decides);
- a seat of a member who is not in the pool is an ``eligibility`` violation; it still counts as a
  seat (group sizes, role counts, seats per round and per plan) but has no attributes, so it adds
  to no attribute count and draws no other violation about attributes;
- a seat listed twice counts twice (``one-seat-per-round`` reports the repeat).
"""

from __future__ import annotations

from collections.abc import Iterable

from .data.instance import Instance
from .data.roster import Roster, Seat
from .rules import RULES
from .rules.base import ROSTER, Context, Violation
from .text import ids, plural


def check(instance: Instance, roster: Roster | Iterable[Seat]) -> list[Violation]:
    """Every violation of ``roster`` against the rules of ``instance``.

    Structural problems (pseudo-rule ``roster``) come first, then the rules whose mode is not
    ``off``, in the order of :data:`teamsolver.rules.RULES`.
    """
    return check_context(Context(instance, roster))


def check_context(ctx: Context) -> list[Violation]:
    """:func:`check` on a context that is already built."""
    out = list(ctx.structural)
    for rule in RULES:
        if ctx.rules.mode(rule.RULE_ID) != "off":
            out.extend(rule.check(ctx))
    return out


def hard_violations(instance: Instance, violations: Iterable[Violation]) -> list[Violation]:
    """The violations that make a roster unacceptable: those of hard rules, and ``roster``."""
    return [v for v in violations if v.rule == ROSTER or instance.rules.mode(v.rule) == "hard"]


__all__ = [
    "ROSTER",
    "Context",
    "Violation",
    "check",
    "check_context",
    "hard_violations",
    "ids",
    "plural",
]
