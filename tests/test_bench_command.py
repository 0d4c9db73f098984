"""``durchstarten seed-bench`` (bench/README.md) stays a command although app.benchdata is no domain."""

from datetime import date

from app import DOMAINS
from app.cli import main
from app.platform import clock


def test_benchdata_is_no_domain_but_its_command_is_registered():
    assert "app.benchdata" not in DOMAINS
    assert "seed-bench" in main.commands


def test_seed_bench_runs_through_the_cli(app):
    with clock.freeze(date(2022, 6, 15)):
        result = app.test_cli_runner().invoke(main, ["seed-bench", "--kommunen", "2", "--lines", "400", "--verify"])
    assert result.exit_code == 0, result.output
    assert "2 Zuwendungen" in result.output and "Ledger geprüft: keine Abweichungen." in result.output
