#!/usr/bin/env python3
"""Generate the API's clients from its OpenAPI document as a front-end team would, and fail on any
warning: a Python client (openapi-python-client) and TypeScript types (openapi-typescript), the
latter type-checked with `tsc --strict` together with clients/ts/check.ts.

    .venv/bin/python scripts/generate_clients.py [--doc openapi.json] [--out DIR] [--only python|typescript]

Without --doc the document is built from the app (no database needed). Generated code goes to
--out (default clients/), never into git. tests/clients/ runs this in CI."""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TS = ROOT / "clients" / "ts"
PACKAGE = "storefront_client"  # the generated Python package's name (its folder under --out)
# What the generators print when they skip or guess something: any of these fails the check.
WARNING_MARKS = ("warning", "cannot parse", "unable to", "⚠")


class GenerationFailed(Exception):
    pass


def step(message: str) -> float:
    print(f"· {message}", flush=True)
    return time.monotonic()


def run(command: list[str], cwd: Path, what: str) -> str:
    started = step(what)
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=os.environ | {"NO_COLOR": "1"})
    output = done.stdout + done.stderr
    if done.returncode != 0:
        raise GenerationFailed(f"{what} failed (exit {done.returncode}):\n{output}")
    warnings = [line for line in output.splitlines() if any(m in line.lower() for m in WARNING_MARKS)]
    if warnings:
        raise GenerationFailed(f"{what} printed warnings (the document must give none):\n{output}")
    print(f"  ok in {time.monotonic() - started:.1f}s", flush=True)
    return output


def write_document(path: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from app import create_app

    app = create_app({"APP_ENV": "test"})
    path.write_text(json.dumps(app.test_client().get("/api/openapi.json").get_json()))


def python_client(doc: Path, out: Path) -> Path:
    target = out / PACKAGE
    shutil.rmtree(target, ignore_errors=True)
    bin_dir = Path(sys.executable).parent
    # The generator formats its output with ruff, looked up on PATH: the pinned one in this venv.
    os.environ["PATH"] = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
    run([str(bin_dir / "openapi-python-client"), "generate", "--path", str(doc), "--output-path", str(target),
         "--meta", "none"], ROOT, "openapi-python-client: Python client")
    return target


def typescript_client(doc: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise GenerationFailed("npm is not installed: install Node.js 20 (Debian: apt-get install nodejs npm)")
    if not (TS / "node_modules" / ".bin" / "openapi-typescript").exists():
        run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], TS, "npm ci (pinned by package-lock.json)")
    bin_dir = TS / "node_modules" / ".bin"
    target = TS / "generated" / "schema.d.ts"
    # --default-non-nullable false: optionality comes from `required` alone. By default
    # openapi-typescript makes every field with a default required, request bodies included, so a
    # checkout would have to send every optional field (docs/api.md "Clients").
    run([str(bin_dir / "openapi-typescript"), str(doc), "-o", str(target), "--default-non-nullable", "false"],
        TS, "openapi-typescript: TypeScript types")
    run([str(bin_dir / "tsc"), "-p", "tsconfig.json"], TS, "tsc --strict: the types and clients/ts/check.ts")
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--doc", type=Path, help="the OpenAPI document (default: built from the app)")
    parser.add_argument("--out", type=Path, default=ROOT / "clients", help="where the Python client goes")
    parser.add_argument("--only", choices=["python", "typescript"])
    args = parser.parse_args()
    doc = args.doc
    if doc is None:
        doc = args.out / "openapi.json"
        args.out.mkdir(parents=True, exist_ok=True)
        step(f"writing the OpenAPI document to {doc}")
        write_document(doc)
    doc = doc.resolve()
    try:
        if args.only != "typescript":
            print(f"Python client: {python_client(doc, args.out.resolve())}")
        if args.only != "python":
            print(f"TypeScript types: {typescript_client(doc)}")
    except GenerationFailed as failure:
        print(failure, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
