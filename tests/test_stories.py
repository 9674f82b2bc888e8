"""End-to-end test stories, run by Rasa itself with --fail-on-prediction-errors."""
import subprocess

from tests.support.servers import QUIET_ENV, ROOT, VENV_BIN


def test_every_test_story_is_followed_exactly(tmp_path) -> None:
    import os

    result = subprocess.run(
        [str(VENV_BIN / "rasa"), "test", "core", "--model", str(ROOT / "models" / "panda.tar.gz"),
         "--stories", str(ROOT / "tests" / "stories"), "--fail-on-prediction-errors",
         "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, **QUIET_ENV}, timeout=600,
    )
    failed = (tmp_path / "failed_test_stories.yml")
    detail = failed.read_text() if failed.exists() else result.stdout[-3000:]
    assert result.returncode == 0, detail
