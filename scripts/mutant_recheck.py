"""Run a few test files against named mutants one after another, in one process, inside a target's
mutants/ folder; print each mutant that they kill (scripts/mutate TARGET recheck; docs/testing.md).

Why not mutmut itself: adding a test file changes the target's test selection, and mutmut then
throws every result away and starts over (hours on a shared machine). mutmut's trampolines read
MUTANT_UNDER_TEST at every call, so setting it between pytest runs switches the mutant; with
TEST_REUSE_SESSION=1 each run takes over the first one's app, database and localstripe.
"""
from __future__ import annotations

import os
import sys

import pytest


def main(argv: list[str]) -> int:
    split = argv.index("--")
    names, tests = argv[:split], argv[split + 1:]
    for name in names:
        os.environ["MUTANT_UNDER_TEST"] = name
        code = pytest.main([*tests, "-x", "-q", "--no-header", "-p", "no:cacheprovider",
                            "-p", "no:unraisableexception"])
        # 1: a test failed (killed); 0: every test passed (survived); anything else is no verdict.
        print(f"RECHECK {name} {({0: 'survived', 1: 'killed'}).get(int(code), f'error {int(code)}')}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
