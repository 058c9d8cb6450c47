"""scripts/mutate's targets stay runnable: each mutates files that exist, runs test files that exist,
and writes a [tool.mutmut] section that parses (running mutmut itself takes minutes: not here)."""
from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("mutation", ROOT / "scripts" / "mutation.py")
mutation = sys.modules.setdefault("mutation", importlib.util.module_from_spec(spec))  # dataclasses look it up
spec.loader.exec_module(mutation)


@pytest.mark.parametrize("name", sorted(mutation.TARGETS))
def test_each_target_mutates_existing_files_and_runs_existing_tests(name):
    target = mutation.TARGETS[name]
    assert all(list(ROOT.glob(pattern)) for pattern in target.mutate), target.mutate
    config = tomllib.loads(mutation._config(target))["tool"]["mutmut"]
    selected = config["pytest_add_cli_args_test_selection"]
    assert selected and all((ROOT / test.split("::")[0]).is_file() for test in selected)
    assert config["only_mutate"] == list(target.mutate)
