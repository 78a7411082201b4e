"""What a planner reads at a glance: per group its leader, deputies, size, specialties, mentors."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from .instance import Instance
from .roster import Roster, Seat


def group_lines(instance: Instance, roster: Roster) -> list[dict[str, Any]]:
    """One row per group of the instance (in instance order), as plain values."""
    index = {r: i for i, r in enumerate(instance.rounds)}
    exp_rules = instance.rules.experience
    rounds_of: dict[str, list[int]] = defaultdict(list)
    by_group: dict[str, list[Seat]] = defaultdict(list)
    for s in roster.seats:
        rounds_of[s.member].append(index.get(s.round, 0))
        by_group[s.group].append(s)

    def experience(member: str, round_id: str) -> int | None:
        m = instance.member_by_id.get(member)
        if m is None:
            return None
        here = index.get(round_id, 0)
        return m.rounds_served + sum(1 for r in rounds_of[member] if r < here)

    lines = []
    for g in instance.groups:
        seats = by_group.get(g.id, [])
        exps = [experience(s.member, g.round) for s in seats]
        new = sum(1 for e in exps if e is not None and e <= exp_rules.new_max)
        experienced = sum(1 for e in exps if e is not None and e >= exp_rules.experienced_min)
        counts: dict[str, int] = defaultdict(int)
        for s in seats:
            m = instance.member_by_id.get(s.member)
            for spec in set(m.specialties) if m else ():
                counts[spec] += 1
        required = dict(g.requires)
        names = list(required) + sorted(k for k in counts if k not in required)
        specialties = "; ".join(
            f"{k} {counts.get(k, 0)}/{required[k]}" if k in required else f"{k} {counts[k]}"
            for k in names
        )
        size = f"{g.size_min}–{g.size_max}" if g.size_max is not None else f"≥{g.size_min}"
        lines.append(
            {
                "round": g.round,
                "group": g.id,
                "targets": ";".join(g.targets),
                "leader": ";".join(s.member for s in seats if s.role == "leader"),
                "deputies": ";".join(s.member for s in seats if s.role == "deputy"),
                "size": len(seats),
                "size_bounds": size,
                "specialties (have/need)": specialties,
                "new": new,
                "experienced": experienced,
                "mentors": ";".join(f"{s.member}←{s.mentor}" for s in seats if s.mentor),
            }
        )
    return lines
