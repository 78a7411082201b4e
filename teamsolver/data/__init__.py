"""The data teamsolver works on: an instance (members, units, groups, ...) and its rule
settings, a roster, a result, the values cells are read as, and located input problems.
Plain pydantic models; nothing here reads files or solves."""
