"""The rules of SPEC §3, one module per rule id (``recusal`` → :mod:`teamsolver.rules.recusal`).

Each module owns everything about its rule: its meaning (the module docstring, exactly as
docs/measures.md counts it), its settings (``Settings``), its check on any roster (``check``,
plain Python), its CP-SAT encoding (``encode``, through the model builder it is given: the
module itself never imports ortools), how a violation and an instance of it are said in words
(as data, :mod:`teamsolver.i18n.phrase`, from the catalogues' ``violation.<rule>``,
``explain.<rule>`` and ``suggest.<rule>`` texts, so that every language says them), the
one-step changes that could lift it (``suggestions``), the impossibilities the input alone
shows (``requirements``: the "at least k of a kind" demands of a group, empty for rules that
make none, which ``explain`` reads off the input; ``inputs``: what validation refuses at
load) and its desk check in the greedy planner (``seating``: what a seat may not break,
which roles and kinds of member the rule wants, what a seat costs). :data:`RULES` is the
registry, in the order of SPEC §3 (then the rules added since, such as ``attribute-quota``):
the checker, the model, the greedy planner, the explainer, validation and the settings loop
over it.

A rule module imports only :mod:`.base`, :mod:`teamsolver.text` and :mod:`teamsolver.i18n` at
run time (the instance, the model, the greedy planner and the explainer for type hints only),
so that :mod:`teamsolver.data.settings` can gather the rules' settings without an import cycle.
"""

from __future__ import annotations

from . import (
    attribute_quota,
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
from .base import RuleModule

#: Every rule, in the order of SPEC §3: the order of checks, reports and the model's build.
RULES: tuple[RuleModule, ...] = (
    one_seat_per_round,
    eligibility,
    pins,
    group_size,
    recusal,
    member_conflict,
    leader_quota,
    deputy_quota,
    specialty_coverage,
    mentoring,
    new_leader_support,
    full_time_anchor,
    party_branch,
    unit_draw_cap,
    rotation,
    no_repeat_pairing,
    attribute_quota,
)
#: The rule module of each rule id.
RULE_BY_ID: dict[str, RuleModule] = {rule.RULE_ID: rule for rule in RULES}

__all__ = ["RULES", "RULE_BY_ID"]
