"""Session-wide guard: every roster the engine returns in any test is re-audited by the
independent checker and must break no hard rule (the relaxed rules when solving with relax)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def every_roster_is_checked(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from teamsolver.audit import check
    from teamsolver.data.instance import relaxed
    from teamsolver.engine import solve as engine_solve

    original = engine_solve.solve_model

    def checked(instance: Any, model: Any, **kwargs: Any) -> Any:
        result = original(instance, model, **kwargs)
        if result.has_roster:
            judged = relaxed(instance) if model.relax else instance
            hard = [
                v
                for v in check(judged, result.roster)
                if v.rule == "roster" or judged.rules.mode(v.rule) == "hard"
            ]
            assert not hard, f"the engine returned a roster that breaks hard rules: {hard}"
        return result

    monkeypatch.setattr(engine_solve, "solve_model", checked)
    yield
