"""Per rule: hand-built rosters with an exact number of violations."""
