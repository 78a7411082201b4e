"""Short lists of candidates for the free groups of a large neighbourhood (:mod:`.lns`).

A free group of a large plan may have thousands of allowed members (province: ~5,000 for each
of 100 groups); a sub-model with all of them is as slow as the monolithic one. Its short list
keeps, out of the members free in its round:

1. the members the current roster seats there (the current roster stays a roster of the
   sub-model) and those of its baseline seats (stability);
2. enough of every scarce kind that the rules stay satisfiable and can improve: leaders and
   deputies, each required specialty, full-time members and party members (their minimums),
   experienced members (mentoring) — for each, the best by score, twice the need and three more;
3. the members with the highest affinity to the group;
4. the best by an objective-aware score (rating, development, specialties; affinity and
   soft recusal per group), then members drawn at random (the seeded RNG of the search), for
   the goals no per-seat score sees (balance, complementarity, pairing).

Short-listing is a heuristic: nothing proves the best roster of a neighbourhood lies within
its short lists, and the result says so (``stats["candidates"]``).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable

from ..data.instance import Instance, Member
from ..data.roster import Roster
from .prep import Facts


class ShortList:
    """Scores and kinds of members, computed once per plan."""

    def __init__(self, instance: Instance, facts: Facts, baseline: Roster | None):
        self.instance = instance
        self.facts = facts
        rules = instance.rules
        weights = rules.objective
        rho = facts.rho
        exp_min = rules.experience.experienced_min
        self.experienced = [m.rounds_served >= exp_min for m in instance.members]
        self.score = [
            -weights.weight("rating") * ((m.rating if m.rating is not None else rho) - rho)
            - weights.weight("development") * (not self.experienced[i])
            - weights.weight("complementarity") * len(set(m.specialties))
            for i, m in enumerate(instance.members)
        ]
        m_index = {m.id: i for i, m in enumerate(instance.members)}
        g_index = {g.id: i for i, g in enumerate(instance.groups)}
        self.affinity: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for a in instance.affinity:
            if a.member in m_index and a.group in g_index and a.score > 0:
                self.affinity[g_index[a.group]].append((a.score, m_index[a.member]))
        for scores in self.affinity.values():
            scores.sort(key=lambda p: (-p[0], p[1]))
        self.kept: dict[int, set[int]] = defaultdict(set)
        for seat in baseline.seats if baseline is not None else ():
            mi, gi = m_index.get(seat.member), g_index.get(seat.group)
            if mi is not None and gi is not None:
                self.kept[gi].add(mi)
        self._allowed: dict[int, set[int]] = {}
        self._ranked: dict[int, list[int]] = {}

    def allowed_set(self, gi: int) -> set[int]:
        found = self._allowed.get(gi)
        if found is None:
            found = self._allowed[gi] = set(self.facts.allowed[gi])
        return found

    def kinds(self, gi: int) -> list[tuple[Callable[[Member, int], bool], int]]:
        """The scarce kinds of group ``gi``: a test of a member (and its index) and the need."""
        g = self.instance.groups[gi]
        rules = self.instance.rules
        size = g.size_max if g.size_max is not None else g.size_min
        out: list[tuple[Callable[[Member, int], bool], int]] = []
        if g.leaders:
            out.append((lambda m, _: m.can_lead, g.leaders))
        if g.deputies_min or g.deputies_max:
            out.append((lambda m, _: m.can_deputy, max(g.deputies_min, 1)))
            out.append((lambda m, i: m.can_deputy and self.experienced[i], 1))
        for name, n in g.requires:
            out.append((lambda m, _, name=name: name in m.specialties, n))  # type: ignore[misc]
        if rules.mode("full-time-anchor") != "off" and rules.full_time_anchor.min:
            out.append((lambda m, _: m.full_time, rules.full_time_anchor.min))
        if rules.mode("party-branch") != "off" and rules.party_branch.min:
            out.append((lambda m, _: m.party_member, rules.party_branch.min))
        if rules.mode("mentoring") != "off":
            k = max(1, rules.mentoring.max_new_per_experienced)
            out.append((lambda _, i: self.experienced[i], size // (k + 1) + 1))
        return out

    def ranked(self, gi: int) -> list[int]:
        """The members allowed in group ``gi``, best per-seat score first (computed once per
        group: sorting its ~5,000 members for every neighbourhood took a quarter of a
        province step's Python time)."""
        found = self._ranked.get(gi)
        if found is not None:
            return found
        recused = self.facts.recused
        soft_recusal = self.facts.recusal_mode == "soft"
        penalty = self.instance.rules.rule("recusal").weight if soft_recusal else 0  # type: ignore[union-attr]
        affinity = {mi: s for s, mi in self.affinity.get(gi, ())}
        w_aff = self.instance.rules.objective.weight("affinity")

        def key(mi: int) -> tuple[int, int]:
            s = self.score[mi] - w_aff * affinity.get(mi, 0)
            if penalty and (mi, gi) in recused:
                s += penalty
            return s, mi

        found = self._ranked[gi] = sorted(self.facts.allowed[gi], key=key)
        return found

    def pick(
        self, gi: int, pool: list[int], mine: set[int], cap: int, rng: random.Random
    ) -> list[int]:
        """About ``cap`` members of ``pool`` (members free to sit in group ``gi``) for its
        short list, ``mine`` (its current members) always among them."""
        members = self.instance.members
        in_pool = set(pool)
        ranked = [mi for mi in self.ranked(gi) if mi in in_pool]
        chosen: dict[int, None] = dict.fromkeys(mi for mi in ranked if mi in mine)
        kept = self.kept.get(gi, set())
        chosen.update(dict.fromkeys(mi for mi in ranked if mi in kept))
        for test, need in self.kinds(gi):
            want = 2 * need + 3
            for mi in ranked:
                if want <= 0:
                    break
                if test(members[mi], mi):
                    chosen[mi] = None
                    want -= 1
        for _, mi in self.affinity.get(gi, ())[: cap // 4]:
            if mi in in_pool:
                chosen[mi] = None
        best = cap * 3 // 4
        for mi in ranked:
            if len(chosen) >= best:
                break
            chosen[mi] = None
        rest = [mi for mi in pool if mi not in chosen]
        more = cap - len(chosen)
        if more > 0 and rest:
            chosen.update(dict.fromkeys(rng.sample(rest, min(more, len(rest)))))
        return list(chosen)
