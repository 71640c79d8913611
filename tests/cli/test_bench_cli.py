"""`apiward bench` refuses clearly when the development data is missing (the benchmark itself is
run by hand, not by the test suite)."""

from __future__ import annotations

from pathlib import Path

from cli_support import cli_app
from typer.testing import CliRunner

from apiward.cli.bench import default_data_dir


def test_missing_data_dir_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli_app(), ["bench", "--quick", "--data", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "wcp-legit-dev.jsonl.gz not found" in text and "--data" in text


def test_default_data_dir_is_next_to_the_repository() -> None:
    assert default_data_dir().parts[-2:] == ("shared", "data")
