"""The staff console over real HTTP, on SQLite and on a real PostgreSQL server.

The conversations are ones the running bot really had (REST and Messenger);
their events are copied into a fresh database for each test.
"""
import json
import re
from typing import Dict, List

import pytest
import requests
import sqlalchemy as sa

from tests.console_support import (
    EMAIL,
    GIBBERISH,
    PASSWORD,
    PHONE,
    flask_cli,
    shown,
    stored_id,
)


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def logged_in(console: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{console}/login")
    response = session.post(f"{console}/login", data={
        "username": "lan", "password": PASSWORD, "csrf_token": csrf(page.text)})
    assert response.status_code == 200 and "Conversations" in response.text
    return session


PAGES = ["/", "/dashboard", "/labels", "/labels/export.yml", "/export.csv", "/export.jsonl",
         "/conversations/anyone"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_and_export_needs_a_login(console: str, path: str) -> None:
    response = requests.get(f"{console}{path}", allow_redirects=False)
    assert response.status_code in (302, 401)
    assert "/login" in response.headers.get("Location", "/login")


def test_forms_without_the_csrf_token_are_refused(console: str) -> None:
    session = requests.Session()
    session.get(f"{console}/login")
    response = session.post(f"{console}/login", data={"username": "lan", "password": PASSWORD})
    assert response.status_code == 400
    assert session.get(f"{console}/", allow_redirects=False).status_code == 302


def test_login_sets_a_httponly_samesite_cookie(console: str) -> None:
    session = requests.Session()
    page = session.get(f"{console}/login")
    wrong = session.post(f"{console}/login", data={"username": "lan", "password": "nope",
                                                   "csrf_token": csrf(page.text)})
    assert "Wrong name or password" in wrong.text
    ok = session.post(f"{console}/login", data={"username": "lan", "password": PASSWORD,
                                                "csrf_token": csrf(page.text)},
                      allow_redirects=False)
    assert ok.status_code == 302
    cookie = ok.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_passwords_are_stored_hashed(console: str, database: str) -> None:
    engine = sa.create_engine(database)
    with engine.connect() as conn:
        (stored,) = conn.execute(sa.text("SELECT password_hash FROM console_staff")).one()
    engine.dispose()
    assert PASSWORD not in stored and stored.startswith(("scrypt:", "pbkdf2:"))


def rows(html: str) -> List[str]:
    return re.findall(r'<tr class="conversation">(.*?)</tr>', html, re.S)


def test_filters(console: str, had_conversations: Dict[str, str]) -> None:
    session = logged_in(console)
    everything = session.get(f"{console}/", params={"q": ""}).text
    assert "does foot massage help with sleep?" in everything

    def listed(**params: str) -> str:
        return "".join(rows(session.get(f"{console}/", params=params).text))

    booking = shown(had_conversations["booking"])
    fallback = listed(fallback="1")
    assert GIBBERISH in fallback and booking not in fallback
    assert booking in listed(handoff="1")
    down = listed(thumbs_down="1")
    assert "does foot massage help with sleep?" in down and GIBBERISH not in down
    assert "what is reflexology?" in listed(channel="messenger")
    assert booking not in listed(channel="messenger")
    assert GIBBERISH in listed(q=GIBBERISH.upper())
    assert rows(session.get(f"{console}/", params={"to": "2000-01-01"}).text) == []


def test_pagination(console: str) -> None:
    session = logged_in(console)
    first = session.get(f"{console}/").text
    total = int(re.search(r"\((\d+)\)</span></h1>", first).group(1))
    assert len(rows(first)) == min(total, 20)
    if total > 20:
        second = session.get(f"{console}/", params={"page": 2}).text
        assert rows(second) and set(rows(second)).isdisjoint(rows(first))


def test_transcript_shows_intent_confidence_answer_and_source(
        console: str, had_conversations: Dict[str, str]) -> None:
    sleep = shown(had_conversations["sleep"])
    page = logged_in(console).get(f"{console}/conversations/{sleep}").text
    assert "ask_sleep (" in page
    assert "30–60 minutes before bedtime" in page
    assert "2.3. Benefit 3: Lulls You into Deep Sleep" in page
    assert 'class="flag down"' in page


def test_a_script_in_a_message_is_shown_escaped(console: str,
                                                had_conversations: Dict[str, str]) -> None:
    session = logged_in(console)
    page = session.get(f"{console}/conversations/{shown(had_conversations['script'])}").text
    assert "&lt;script&gt;alert(" in page and "<script>alert(" not in page
    assert "<script>alert(" not in session.get(f"{console}/", params={"q": "script"}).text


def test_contacts_are_masked_and_a_reveal_is_logged(console: str, database: str,
                                                    had_conversations: Dict[str, str]) -> None:
    session = logged_in(console)
    sender = shown(had_conversations["contact"])
    listing = session.get(f"{console}/", params={"q": "call me"}).text
    page = session.get(f"{console}/conversations/{sender}").text
    exported = session.get(f"{console}/export.csv", params={"q": "call me"}).text
    for text in (listing, page, exported):
        assert PHONE not in text and EMAIL not in text
        assert "[phone hidden]" in text and "[e-mail hidden]" in text
    revealed = session.post(f"{console}/conversations/{sender}/reveal",
                            data={"csrf_token": csrf(page)}).text
    assert PHONE in revealed and EMAIL in revealed
    engine = sa.create_engine(database)
    with engine.connect() as conn:
        log = conn.execute(sa.text("SELECT sender_id, revealed_by FROM console_reveals")).all()
    engine.dispose()
    assert [tuple(r) for r in log] == [(stored_id(had_conversations["contact"]), "lan")]


def test_exports_follow_the_filters(console: str, had_conversations: Dict[str, str]) -> None:
    session = logged_in(console)
    csv_text = session.get(f"{console}/export.csv", params={"handoff": "1"}).text
    assert csv_text.splitlines()[0].startswith("conversation,time,channel,message,intent")
    assert shown(had_conversations["booking"]) in csv_text
    assert shown(had_conversations["sleep"]) not in csv_text
    lines = session.get(f"{console}/export.jsonl", params={"thumbs_down": "1"}).text.splitlines()
    turns = [json.loads(line) for line in lines]
    listed = {t["conversation"] for t in turns}
    assert shown(had_conversations["sleep"]) in listed
    assert shown(had_conversations["booking"]) not in listed
    assert all(any(t["rating"] == "down" for t in turns if t["conversation"] == c)
               for c in listed)
    sleep = next(t for t in turns if t["conversation"] == shown(had_conversations["sleep"])
                 and t["intent"] == "ask_sleep")
    assert sleep["rating"] == "down" and "2.3." in sleep["source"]


def test_dashboard_draws_four_charts(console: str) -> None:
    page = logged_in(console).get(f"{console}/dashboard").text
    titles = re.findall(r"<svg[^>]*aria-label=\"([^\"]+)\"", page)
    assert titles == ["Conversations per day", "Top questions",
                      "Fallback rate (fallback or low confidence)", "Handoffs per channel"]
    assert page.count("<rect") >= 4


def test_a_message_is_labelled_and_exported_as_training_data(
        console: str, had_conversations: Dict[str, str]) -> None:
    session = logged_in(console)
    sender = shown(had_conversations["confused"])
    page = session.get(f"{console}/conversations/{sender}").text
    event_id = re.search(r'name="event_id" value="(\d+)"', page).group(1)
    session.post(f"{console}/conversations/{sender}/label", data={
        "csrf_token": csrf(page), "event_id": event_id, "intent": "ask_sleep"})
    booking = session.get(f"{console}/conversations/{shown(had_conversations['booking'])}").text
    session.post(f"{console}/conversations/{shown(had_conversations['booking'])}/label", data={
        "csrf_token": csrf(booking), "event_id": re.search(
            r'name="event_id" value="(\d+)"', booking).group(1), "new_intent": "ask_gift_card"})
    exported = session.get(f"{console}/labels/export.yml").text
    import yaml

    data = yaml.safe_load(exported)
    assert data["version"] == "3.1"
    examples = {block["intent"]: block["examples"] for block in data["nlu"]}
    assert examples == {"ask_gift_card": "- I want to book\n", "ask_sleep": f"- {GIBBERISH}\n"}


def test_retention_deletes_old_conversations(console: str, database: str,
                                             had_conversations: Dict[str, str]) -> None:
    old = stored_id(had_conversations["booking"])
    engine = sa.create_engine(database)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE events SET timestamp = timestamp - 40 * 86400 "
                             "WHERE sender_id = :s"), {"s": old})
    result = flask_cli(database, "purge", "--days", "30")
    assert result.returncode == 0 and "deleted 1 conversations" in result.stdout
    with engine.connect() as conn:
        left = {r[0] for r in conn.execute(sa.text("SELECT DISTINCT sender_id FROM events"))}
    engine.dispose()
    assert old not in left and stored_id(had_conversations["sleep"]) in left


def test_the_cli_refuses_a_short_password(database: str) -> None:
    result = flask_cli(database, "create-staff", "short", "--password-stdin", stdin="abc\n")
    assert result.returncode != 0 and "at least 10 characters" in result.stderr

