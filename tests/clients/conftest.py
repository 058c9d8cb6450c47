"""Clients generated from the app's own OpenAPI document (scripts/generate_clients.py)."""
from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "generate_clients.py"


def generate(document: Path, out: Path, only: str) -> None:
    done = subprocess.run([sys.executable, str(SCRIPT), "--doc", str(document), "--out", str(out), "--only", only],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="session")
def document(app, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("openapi") / "openapi.json"
    path.write_text(json.dumps(app.test_client().get("/api/openapi.json").get_json()))
    return path


@pytest.fixture(scope="session")
def generated_python(document, tmp_path_factory):
    """The generated package, imported (openapi-python-client, zero warnings or the fixture fails)."""
    out = tmp_path_factory.mktemp("python-client")
    generate(document, out, "python")
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module("storefront_client")
    finally:
        sys.path.remove(str(out))
        for name in [n for n in sys.modules if n == "storefront_client" or n.startswith("storefront_client.")]:
            del sys.modules[name]


def node_or_skip() -> None:
    import shutil

    if shutil.which("npm") is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs Node.js and npm for the TypeScript client check (.ci/run installs them)")
        pytest.skip("no npm: apt-get install nodejs npm")
