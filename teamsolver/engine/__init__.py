"""The engine: the only package that imports OR-Tools. The CP-SAT model of a plan
(:mod:`.model`, each rule's part from its module in :mod:`teamsolver.rules`), the staged
monolithic search (:mod:`.solve`), the decomposition (:mod:`.lns`, :mod:`.shortlist`), the
greedy start (:mod:`.greedy`), HiGHS (:mod:`.mip`, :mod:`.highs`). See docs/engine.md.

Nothing is imported here: importing :mod:`teamsolver.engine.prep` (plain Python) must not load
OR-Tools.
"""
