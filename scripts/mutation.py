"""Mutation testing of one money module at a time: mutmut mutates the target's files and runs only
the target's tests (scripts/mutate; docs/testing.md, "Mutation testing").

Each target gets its own folder under .mutmut/ holding a pyproject.toml with the [tool.mutmut]
settings of that target and links to the project, because mutmut reads its configuration from the
working directory and keeps its results (mutants/) there: a rerun of a target only retests the
functions that changed since, and targets never share results.

The runs use SQLite without Redis, one mutant at a time: each mutant is a fresh pytest session in a
process forked from the one that ran the tests first, and takes over that session's app, database
file and localstripe (TEST_REUSE_SESSION in tests/conftest.py) instead of building them again.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".mutmut"
# Copied next to the mutated app/ so the tests import everything from one tree.
LINKED = ["app", "blueprints", "migrations", "tests", "static", "wsgi.py"]


@dataclass(frozen=True)
class Target:
    mutate: tuple[str, ...]  # glob patterns of the files mutated, relative to the project
    tests: tuple[str, ...]  # the test files run against them
    about: str


TARGETS: dict[str, Target] = {
    "inventory": Target(
        ("app/inventory/*",),
        ("tests/api/test_checkout.py", "tests/api/test_reservations.py", "tests/api/test_catalog_admin.py",
         "tests/api/test_refunds.py", "tests/api/test_uncollected.py", "tests/api/test_stock_edges.py"),
        "stock of ordinary products: guarded reserve/sell/release/restock, the movement ledger"),
    "campaign-stock": Target(
        ("app/campaigns/stock.py",),
        ("tests/api/test_flash_sales.py", "tests/api/test_group_buys.py", "tests/api/test_presales.py",
         "tests/api/test_campaign_stats.py", "tests/api/test_campaign_stock_mutants.py"),
        "campaign stock buckets and holds: take, consume, release, counted units per shopper"),
    "flash": Target(
        ("app/campaigns/flash.py", "app/campaigns/flash_sql.py", "app/campaigns/redis_gate.py"),
        ("tests/api/test_flash_sales.py", "tests/api/test_flash_gate.py", "tests/api/test_flash_commission.py",
         "tests/unit/test_flash_sql.py", "tests/api/test_flash_limit_behaviours.py",
         "tests/api/test_flash_mutants.py"),
        "the flash-sale reservation path (PostgreSQL statements and the Redis gate need TEST_DATABASE_URL/"
        "TEST_REDIS_URL and are skipped on SQLite)"),
    "refunds": Target(
        ("app/payments/refunds.py",),
        ("tests/api/test_refunds.py", "tests/api/test_payments.py", "tests/api/test_wallet.py",
         "tests/api/test_group_buys.py", "tests/api/test_uncollected.py", "tests/api/test_money_behaviours.py",
         "tests/api/test_refund_mutants.py"),
        "line refunds: ceilings, splits across card and wallet, completion, restock and clawback"),
    "commissions": Target(
        # The money paths only: the split, the journal, accrual, settlement and clawback, the audit,
        # payout requests. Not mutated: the reports (performance.py, views.py), the four-eyes rule
        # changes, the CLI, and the Stripe transfer (target stripe-payouts) — 880 mutants more.
        ("app/commissions/services.py", "app/commissions/ledger.py", "app/commissions/rules.py",
         "app/commissions/audit.py", "app/commissions/payouts.py"),
        ("tests/api/test_commissions.py", "tests/api/test_payouts.py", "tests/api/test_stripe_payouts.py",
         "tests/api/test_flash_commission.py", "tests/api/test_leader_performance.py",
         "tests/test_commission_properties.py", "tests/api/test_commission_mutants.py"),
        "commission rules, the double-entry journal, settlement, clawbacks, payouts, the audit"),
    "stripe-payouts": Target(
        ("app/commissions/stripe_payouts.py",),
        ("tests/api/test_stripe_payouts.py", "tests/api/test_payouts.py"),
        "payouts sent as Stripe Connect transfers: the claim, the lookup before a transfer, the sweep"),
    "wallet": Target(
        ("app/wallet/*",),
        ("tests/api/test_wallet.py", "tests/test_ledger_properties.py", "tests/api/test_wallet_ledger_edges.py",
         "tests/api/test_loyalty.py::test_a_paid_membership_by_card_starts_when_stripe_reports_the_payment"),
        "stored value: top-ups with bonus, principal/bonus split of payments and refunds"),
    "coupons": Target(
        ("app/coupons/*",),
        ("tests/api/test_coupons.py", "tests/api/test_birthdays.py", "tests/api/test_loyalty_edges.py",
         "tests/api/test_money_behaviours.py",
         "tests/api/test_coupon_mutants.py"),
        "coupon templates, issuing, the guarded redeem and its release"),
    "points": Target(
        ("app/loyalty/ledger.py",),
        ("tests/api/test_loyalty.py", "tests/api/test_loyalty_edges.py", "tests/test_ledger_properties.py",
         "tests/api/test_points_ledger_edges.py"),
        "the points ledger: earn, redeem, reverse with the clamp, growth points"),
}


def _config(target: Target) -> str:
    tests = [t for t in target.tests if (ROOT / t.split("::")[0]).exists()]
    quoted = lambda items: "[" + ", ".join(f'"{i}"' for i in items) + "]"  # noqa: E731
    return f"""
[tool.mutmut]
source_paths = ["app"]
only_mutate = {quoted(target.mutate)}
also_copy = {quoted(LINKED[1:])}
pytest_add_cli_args_test_selection = {quoted(tests)}
# pytest's unraisable-exception check collects garbage five times at the end of every session: ~1 s a mutant.
pytest_add_cli_args = ["-p", "no:unraisableexception", "-p", "no:cacheprovider"]
# Text for a person (a literal starting with a capital word and a space: error messages, notification
# titles) is not mutated: it is to be translated, and tests pin the stable error code instead.
do_not_mutate_patterns = ['f?"[A-Z][a-z-]* [^"]*"']
timeout_multiplier = 5.0
timeout_constant = 10.0
"""


def prepare(name: str) -> Path:
    """The target's folder: links to the project and a pyproject.toml with its mutmut settings."""
    folder = WORK / name
    folder.mkdir(parents=True, exist_ok=True)
    for entry in LINKED:
        link = folder / entry
        if not link.is_symlink():
            link.symlink_to(ROOT / entry)
    pyproject = (ROOT / "pyproject.toml").read_text() + _config(TARGETS[name])
    (folder / "pyproject.toml").write_text(pyproject)
    return folder


def _environment(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL", "TEST_REDIS_URL")}
    tmp = folder / "tmp"
    tmp.mkdir(exist_ok=True)
    env["TMPDIR"] = str(tmp)  # pytest's and localstripe's temp folders, away from other runs
    env["TEST_REUSE_SESSION"] = "1"  # see tests/conftest.py
    return env


def mutmut(folder: Path, *args: str) -> int:
    """Run mutmut in the target's folder in a process group of its own, and end that group after:
    a mutant stopped for taking too long leaves its session's localstripe behind."""
    proc = subprocess.Popen([sys.executable, "-m", "mutmut", *args], cwd=folder, env=_environment(folder),
                            start_new_session=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that `finally` ends the group on kill too
    try:
        return proc.wait()
    except KeyboardInterrupt:
        return 130
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)


def score(folder: Path) -> tuple[int, int, list[tuple[str, str]]]:
    out = subprocess.run([sys.executable, "-m", "mutmut", "results", "--all", "true"], cwd=folder,
                         env=_environment(folder), capture_output=True, text=True, check=True).stdout
    rows = [tuple(m.groups()) for m in re.finditer(r"^\s+(\S+): (.+)$", out, re.M)]
    killed = [name for name, status in rows if status in ("killed", "timeout")]
    others = [(name, status) for name, status in rows if status not in ("killed", "timeout")]
    return len(killed), len(rows), others


def recheck(name: str, folder: Path) -> int:
    """After adding tests: run them against the last run's survivors (and its mutants no test
    reached) in one process (scripts/mutant_recheck.py), and record the ones they kill as killed;
    mutants a stopped run never got to are run against all the target's tests, new ones first.
    Why not mutmut: a new test file changes the test selection, and mutmut then starts over. Only
    the test files are refreshed (a changed app/ needs a real run); a failing test is a kill, as in
    mutmut. The new tests are the target's *_mutants.py files: the others passed on every survivor."""
    others = score(folder)[2]
    tests = [t for t in TARGETS[name].tests if (ROOT / t.split("::")[0]).exists()]
    tests.sort(key=lambda t: not t.endswith("_mutants.py"))
    for test in {t.split("::")[0] for t in tests}:
        shutil.copy(ROOT / test, folder / "mutants" / test)
    runs = [([m for m, status in others if status in ("survived", "no tests")],
             [t for t in tests if t.endswith("_mutants.py")]),
            ([m for m, status in others if status == "not checked"], tests)]
    killed: set[str] = set()
    for names, selection in runs:
        if names and selection:
            killed |= _recheck_run(folder, names, selection)
    print(f"recheck: {len(killed)} of {sum(len(names) for names, _ in runs)} killed")
    return 0


def _recheck_run(folder: Path, names: list[str], tests: list[str]) -> set[str]:
    """Run `tests` against each mutant, recording each verdict as it comes (a stopped recheck keeps them)."""
    killed: set[str] = set()
    metas = {meta: json.loads(meta.read_text()) for meta in (folder / "mutants").rglob("*.meta")}
    with subprocess.Popen([sys.executable, str(ROOT / "scripts" / "mutant_recheck.py"), *names, "--", *tests],
                          cwd=folder / "mutants", env=_environment(folder), stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True) as proc:
        for line in proc.stdout:
            verdict = re.match(r"RECHECK (\S+) (.+)$", line)
            if not verdict:
                continue
            print(f"  {verdict[2]:10} {verdict[1]}", flush=True)
            if verdict[2] not in ("killed", "survived"):
                continue  # no verdict (the tests could not run): left as it was
            if verdict[2] == "killed":
                killed.add(verdict[1])
            for meta, data in metas.items():
                if verdict[1] in data["exit_code_by_key"]:  # mutmut's exit codes: 1 killed, 0 survived
                    data["exit_code_by_key"][verdict[1]] = 1 if verdict[2] == "killed" else 0
                    meta.write_text(json.dumps(data, indent=4))
    return killed


def _usage() -> int:
    print(__doc__.split("\n\n")[0])
    print("\nusage: scripts/mutate TARGET [--retest|--score] | TARGET recheck|results|show NAME|apply NAME|browse"
          "|run NAME... | list")
    return 2


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        return _usage()
    if argv[0] == "list":
        for name, target in TARGETS.items():
            print(f"{name}: {target.about}\n  mutates {' '.join(target.mutate)}\n  runs    {' '.join(target.tests)}")
        return 0
    name, rest = argv[0], argv[1:]
    if name not in TARGETS:
        print(f"unknown target {name!r}; one of: {', '.join(TARGETS)}", file=sys.stderr)
        return 2
    folder = prepare(name)
    if rest and rest[0] in ("results", "show", "apply", "browse", "run"):
        return mutmut(folder, *rest)
    if rest and rest[0] == "recheck":
        recheck(name, folder)
        rest = ["--score"]
    if rest and rest[0] == "--score":
        return report(name, folder, 0)
    shutil.rmtree(folder / "tmp", ignore_errors=True)
    # --retest: run the survivors of the last run again (after adding tests); mutmut itself only
    # retests mutants of functions whose source changed.
    again = [mutant for mutant, _ in score(folder)[2]] if "--retest" in rest and (folder / "mutants").exists() else []
    return report(name, folder, mutmut(folder, "run", "--max-children", "1", *again))


def report(name: str, folder: Path, code: int) -> int:
    killed, total, others = score(folder)
    for mutant, status in sorted(others):
        print(f"  {status:10} {mutant}")
    percent = 100 * killed / total if total else 0
    print(f"{name}: killed {killed}/{total} ({percent:.1f} %) on SQLite; "
          f"see a mutant with: scripts/mutate {name} show NAME")
    return code or (0 if percent >= 90 else 1)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
