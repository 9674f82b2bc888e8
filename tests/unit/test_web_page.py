"""scripts/web.py's embed.js settings: a forged Host header never names the chat server."""
import pytest

from scripts.web import embed_config

ALLOWED = ["https://pandaspa.vn", "http://127.0.0.1:8080"]
OWN = "http://127.0.0.1:8080"


def test_an_allowed_host_names_the_chat_server() -> None:
    assert embed_config("127.0.0.1:8080", ALLOWED, "", "", OWN, "5005") == {
        "chatUrl": "http://127.0.0.1:8080", "socketUrl": "http://127.0.0.1:5005"}


def test_a_forged_host_is_replaced_by_the_server_s_own_address() -> None:
    config = embed_config("evil.example", ALLOWED, "", "", OWN, "5005")
    assert config == {"chatUrl": OWN, "socketUrl": "http://127.0.0.1:5005"}
    assert "evil" not in str(embed_config('x"</script>', ALLOWED, "", "", OWN, "5005"))


def test_the_public_urls_win_over_any_host() -> None:
    config = embed_config("evil.example", ALLOWED, "https://chat.pandaspa.vn",
                          "https://bot.pandaspa.vn", OWN, "5005")
    assert config == {"chatUrl": "https://chat.pandaspa.vn",
                      "socketUrl": "https://bot.pandaspa.vn"}


def test_no_host_header_uses_the_server_s_own_address() -> None:
    assert embed_config(None, ALLOWED, "", "", OWN, "5005")["chatUrl"] == OWN


def test_readme_says_one_thing_about_an_empty_allowed_list(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from pathlib import Path

    from channels.origins import allowed_origins

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    monkeypatch.setenv("WEB_ALLOWED_ORIGINS", "")
    monkeypatch.setenv("WEB_PORT", "8080")
    assert allowed_origins() == ["http://127.0.0.1:8080", "http://localhost:8080"]
    assert "socket.io open to all" not in readme
    said = [line for line in readme.splitlines() if "empty: only the chat page's own" in line
            or "(default the chat page's own origin" in line]
    assert len(said) == 2
