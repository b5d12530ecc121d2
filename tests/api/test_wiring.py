"""Processes that only refresh or rescreen give the request path the CPU first."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import os
from api.wiring import background_priority
from screening.settings import Settings
before = os.nice(0)
background_priority(Settings(background_nice=7))
background_priority(Settings(background_nice=7))  # idempotent
background_priority(Settings(background_nice=3))  # never raised again
print(before, os.nice(0))
"""


def test_background_processes_run_at_the_configured_lower_priority():
    out = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    before, after = int(out[0]), int(out[1])
    assert after == max(before, 7)
