"""storage/settings.py: one way to read settings, environment first, .env as data."""
import re
import subprocess
import sys
from pathlib import Path

from storage.settings import ROOT, load_env_file, parse_env_file


def test_values_are_data_never_code() -> None:
    text = 'A=`touch /tmp/pwned`\nB=$HOME\nC="quoted value"\nD=\'single\'\n'
    assert parse_env_file(text) == {
        "A": "`touch /tmp/pwned`", "B": "$HOME", "C": "quoted value", "D": "single"}


def test_comments_blank_and_malformed_lines_are_skipped() -> None:
    text = "# comment\n\nnot a pair\n9BAD=x\nexport GOOD=1\nEMPTY=\n"
    assert parse_env_file(text) == {"GOOD": "1", "EMPTY": ""}


def test_the_environment_wins_over_the_file(tmp_path: Path) -> None:
    env_file = tmp_path / "settings.env"
    env_file.write_text("TRACKER_DB_URL=postgresql://real/db\nCONSOLE_SECRET_KEY=from-file\n")
    environ = {"ENV_FILE": str(env_file), "TRACKER_DB_URL": "sqlite:///test.db"}
    added = load_env_file(environ)
    assert added == {"CONSOLE_SECRET_KEY": "from-file"}
    assert environ["TRACKER_DB_URL"] == "sqlite:///test.db"


def test_an_empty_env_file_setting_reads_nothing(tmp_path: Path) -> None:
    environ = {"ENV_FILE": ""}
    assert load_env_file(environ) == {} and environ == {"ENV_FILE": ""}


def test_the_shell_export_is_quoted_so_run_sh_never_executes_a_value(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    env_file = tmp_path / "settings.env"
    env_file.write_text(f"PANDA_X=`touch {marker}`$(touch {marker})\n")
    exported = subprocess.run(
        [sys.executable, "-m", "storage.settings", "--export"], cwd=ROOT, check=True,
        capture_output=True, text=True, env={"ENV_FILE": str(env_file)}).stdout
    shown = subprocess.run(["bash", "-c", exported + 'printf %s "$PANDA_X"'],
                           capture_output=True, text=True, check=True).stdout
    assert shown == f"`touch {marker}`$(touch {marker})"
    assert not marker.exists()


ENV_READS = re.compile(
    r"""(?:environ\.get|getenv|environ\[|env\.get)\(?\s*["']([A-Z][A-Z0-9_]+)["']""")
SHELL_READS = re.compile(r"\$\{([A-Z][A-Z0-9_]+)(?::-|-|\})")


def variables_the_code_reads() -> set[str]:
    names: set[str] = set()
    for folder in ("actions", "channels", "console", "storage", "scripts", "booking",
                   "language"):
        for path in (ROOT / folder).rglob("*.py"):
            names |= set(ENV_READS.findall(path.read_text()))
    for path in (ROOT / "credentials.yml", ROOT / "endpoints.yml", ROOT / "scripts" / "run.sh"):
        code = "\n".join(line for line in path.read_text().splitlines()
                         if not line.lstrip().startswith("#"))
        names |= set(SHELL_READS.findall(code))
    # a request's WSGI-style environ (socket.io's connect handler) is not a setting
    return {name for name in names if not name.startswith("HTTP_") and name != "REMOTE_ADDR"}


def test_env_example_lists_every_variable_the_code_reads() -> None:
    listed = set(parse_env_file((ROOT / ".env.example").read_text()))
    internal = {"ENV_FILE"} - listed
    missing = variables_the_code_reads() - listed - internal
    assert not missing, f".env.example lacks {sorted(missing)}"
