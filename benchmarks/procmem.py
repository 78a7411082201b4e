"""Peak memory of a process, read the same way by every benchmark script and child.

Imports neither ortools nor highspy, so any process may use it (the HiGHS runner included).
"""

from __future__ import annotations

import resource


def vmhwm_mb(pid: int | str = "self") -> float | None:
    """VmHWM (the peak resident set) of a process in MB, from ``/proc/PID/status``; None where
    there is no ``/proc`` or the process is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return None


def peak_rss_mb() -> float:
    """This process's peak: VmHWM where there is one. ``ru_maxrss`` is only the fallback: it
    survives fork+exec on Linux, so a child would report its parent's peak."""
    mb = vmhwm_mb()
    return mb if mb is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
