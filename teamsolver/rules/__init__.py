"""The rules of SPEC §3, one module per rule id (``recusal`` → :mod:`teamsolver.rules.recusal`).

Each module states the rule's meaning exactly in its docstring, names it in ``RULE_ID`` and
checks it on any roster with ``check(ctx) -> list[Violation]`` (plain Python, never ``ortools``).
:data:`CHECKS` is the registry: one entry per rule, in the order of
:data:`teamsolver.settings.RULE_IDS`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from ..audit import Context, Violation
from . import (
    deputy_quota,
    eligibility,
    full_time_anchor,
    group_size,
    leader_quota,
    member_conflict,
    mentoring,
    new_leader_support,
    no_repeat_pairing,
    one_seat_per_round,
    party_branch,
    pins,
    recusal,
    rotation,
    specialty_coverage,
    unit_draw_cap,
)

CheckFn = Callable[[Context], list[Violation]]


class RuleCheck(NamedTuple):
    """A rule id and its plain-Python check."""

    rule: str
    check: CheckFn


#: Every rule's check, in the order of SPEC §3 (``settings.RULE_IDS``).
CHECKS: tuple[RuleCheck, ...] = (
    RuleCheck(one_seat_per_round.RULE_ID, one_seat_per_round.check),
    RuleCheck(eligibility.RULE_ID, eligibility.check),
    RuleCheck(pins.RULE_ID, pins.check),
    RuleCheck(group_size.RULE_ID, group_size.check),
    RuleCheck(recusal.RULE_ID, recusal.check),
    RuleCheck(member_conflict.RULE_ID, member_conflict.check),
    RuleCheck(leader_quota.RULE_ID, leader_quota.check),
    RuleCheck(deputy_quota.RULE_ID, deputy_quota.check),
    RuleCheck(specialty_coverage.RULE_ID, specialty_coverage.check),
    RuleCheck(mentoring.RULE_ID, mentoring.check),
    RuleCheck(new_leader_support.RULE_ID, new_leader_support.check),
    RuleCheck(full_time_anchor.RULE_ID, full_time_anchor.check),
    RuleCheck(party_branch.RULE_ID, party_branch.check),
    RuleCheck(unit_draw_cap.RULE_ID, unit_draw_cap.check),
    RuleCheck(rotation.RULE_ID, rotation.check),
    RuleCheck(no_repeat_pairing.RULE_ID, no_repeat_pairing.check),
)

__all__ = ["CHECKS", "CheckFn", "RuleCheck"]
