"""Access: the HTTP API needs its token, and no secret is in the repository."""
import re
import subprocess

import pytest
import requests

from tests.support.servers import ROOT, Bot


@pytest.mark.parametrize("path", ["/status", "/conversations/someone/tracker", "/domain"])
def test_the_http_api_refuses_requests_without_the_token(bot: Bot, path: str) -> None:
    assert requests.get(f"{bot.url}{path}", timeout=10).status_code == 401
    wrong = requests.get(f"{bot.url}{path}", params={"token": "guess"}, timeout=10)
    assert wrong.status_code == 401
    right = requests.get(f"{bot.url}{path}", params={"token": bot.token},
                         headers={"Accept": "application/json"}, timeout=10)
    assert right.status_code == 200


SECRET_PATTERNS = {
    "private key": r"-----BEGIN [A-Z ]*PRIVATE KEY-----",
    "Meta access token": r"\bEAA[A-Za-z0-9]{30,}",
    "Twilio account SID": r"\bAC[0-9a-f]{32}\b",
    "Twilio API key": r"\bSK[0-9a-f]{32}\b",
    "AWS access key": r"\bAKIA[0-9A-Z]{16}\b",
    "secret assignment": r"(?i)(secret|token|password|passwd)\w*[\"']?[ \t]*[:=][ \t]*[\"']"
                         r"(?![^\s\"']*test)[A-Za-z0-9_\-/+]{16,}",
    "secret in an env file": r"(?m)^[A-Z_]*(SECRET|TOKEN|PASSWORD)[A-Z_]*=(?!\$\{)\S{8,}",
}

# Twilio's published signature examples (account SID and auth token of its docs and
# library tests), used by tests/test_security_channels.py: public, not secrets.
PUBLIC_TEST_VECTORS = ("ACba8bc05eacf94afdae398e642c9cc32d", "2bd9e9638872de601313dc77410d3b23")


def tracked_files() -> list:
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        pytest.skip("not a git checkout")
    return [ROOT / f for f in out.stdout.splitlines() if (ROOT / f).is_file()]


def test_no_secret_is_committed() -> None:
    found = []
    for path in tracked_files():
        if path.suffix in {".png", ".gz"} or "package-lock" in path.name:
            continue
        text = path.read_text(errors="ignore")
        for name, pattern in SECRET_PATTERNS.items():
            for match in re.finditer(pattern, text):
                if any(public in match.group(0) for public in PUBLIC_TEST_VECTORS):
                    continue
                found.append(f"{path.relative_to(ROOT)}: {name}: {match.group(0)[:40]}")
    assert found == []


def test_no_env_file_database_or_model_is_committed() -> None:
    names = [str(p.relative_to(ROOT)) for p in tracked_files()]
    assert ".env" not in names
    assert not [n for n in names if n.endswith((".db", ".sqlite", ".tar.gz"))]
    assert not [n for n in names if n.startswith(("models/", ".venv/")) and
                n != "models/.gitkeep"]


def test_the_secret_scan_finds_a_planted_secret() -> None:
    # assembled here so that this file itself holds no secret-looking line
    planted = ("MESSENGER_APP_" + 'SECRET="3f9c2b7d' + '1e8a4c6b9d0e"\nkey = EAA' + "x" * 40 +
               "\nTWILIO_AUTH_" + "TOKEN=9f8e7d6c5b4a\n")
    hits = [n for n, p in SECRET_PATTERNS.items() if re.search(p, planted)]
    assert hits == ["Meta access token", "secret assignment", "secret in an env file"]
    assert not [n for n, p in SECRET_PATTERNS.items()
                if re.search(p, "self.page_access_token = page_access_token\nAPI_TOKEN=\n")]
