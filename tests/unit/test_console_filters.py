"""console/: the conversation list's filters and pages, masking, and the label export.

Flask's test client on a SQLite file seeded from tests/fixtures/conversations.jsonl.
"""
import csv
import io
import re
from typing import Dict, List, Set

import sqlalchemy as sa
import yaml
from flask import Flask
from flask.testing import FlaskClient

from console.privacy import pseudonym
from tests.console_support import (
    CONSOLE_KEY,
    EMAIL,
    GIBBERISH,
    PHONE,
    SENDERS,
    add_copies,
    shown,
    stored_id,
)
from tests.unit.conftest import AuthActions, csrf

ALL = set(SENDERS)


def listed(client: FlaskClient, **params: str) -> Set[str]:
    """The names of the conversations on the list's page for ``params``."""
    html = client.get("/", query_string=params).get_data(as_text=True)
    links = set(re.findall(r'<tr class="conversation">.*?href="/conversations/([^"]+)"', html,
                           re.S))
    names = {shown(sender): name for name, sender in SENDERS.items()}
    return {names.get(link, link) for link in links}


def test_the_list_needs_a_login(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_every_recorded_conversation_is_listed(client: FlaskClient, auth: AuthActions) -> None:
    auth.login()
    assert listed(client) == ALL


def test_fallback_lists_the_misunderstood_conversation(client: FlaskClient,
                                                       auth: AuthActions) -> None:
    auth.login()
    found = listed(client, fallback="1")
    assert "confused" in found and not {"sleep", "handoff", "messenger"} & found


def test_handoff_lists_the_conversations_given_the_contacts(client: FlaskClient,
                                                           auth: AuthActions) -> None:
    auth.login()  # asked for them, or given them when nothing else fitted
    assert listed(client, handoff="1") == {"handoff", "confused"}


def test_thumbs_down_lists_the_rated_conversation(client: FlaskClient,
                                                  auth: AuthActions) -> None:
    auth.login()
    assert listed(client, thumbs_down="1") == {"sleep"}


def test_channel(client: FlaskClient, auth: AuthActions) -> None:
    auth.login()
    assert listed(client, channel="messenger") == {"sleep", "messenger"}


def test_text_search_ignores_case(client: FlaskClient, auth: AuthActions) -> None:
    auth.login()
    assert listed(client, q=GIBBERISH.upper()) == {"confused"}


def test_dates(client: FlaskClient, auth: AuthActions) -> None:
    auth.login()
    assert listed(client, to="2000-01-01") == set()
    assert listed(client, **{"from": "2000-01-01"}) == ALL


def page_links(client: FlaskClient, **params: str) -> List[str]:
    html = client.get("/", query_string=params).get_data(as_text=True)
    return re.findall(r'<tr class="conversation">.*?href="/conversations/([^"]+)"', html, re.S)


def test_pages_of_twenty_newest_first(client: FlaskClient, auth: AuthActions,
                                      database: str) -> None:
    newest = add_copies(database, "booking", 25)
    auth.login()
    first, second = page_links(client), page_links(client, page="2")
    assert first == [pseudonym(s, CONSOLE_KEY) for s in newest[:20]]
    assert second[:5] == [pseudonym(s, CONSOLE_KEY) for s in newest[20:]]
    assert len(first) + len(second) == 25 + len(SENDERS)
    assert page_links(client, page="99") == second  # past the end: the last page


def test_pages_keep_the_filters(client: FlaskClient, auth: AuthActions, database: str) -> None:
    add_copies(database, "booking", 25)
    auth.login()
    html = client.get("/", query_string={"q": "book"}).get_data(as_text=True)
    assert "(26)" in html and 'href="/?page=2&amp;q=book"' in html


def test_contacts_are_masked_in_the_list_the_transcript_and_the_export(
        client: FlaskClient, auth: AuthActions) -> None:
    auth.login()
    listing = client.get("/", query_string={"q": "call me"}).get_data(as_text=True)
    page = client.get(f"/conversations/{shown(SENDERS['contact'])}").get_data(as_text=True)
    exported = client.get("/export.csv", query_string={"q": "call me"}).get_data(as_text=True)
    for text in (listing, page, exported):
        assert PHONE not in text and EMAIL not in text
        assert "[phone hidden]" in text and "[e-mail hidden]" in text


def test_a_reveal_shows_the_contacts_and_is_logged(client: FlaskClient, auth: AuthActions,
                                                   database: str) -> None:
    auth.login()
    url = f"/conversations/{shown(SENDERS['contact'])}"
    page = client.get(url).get_data(as_text=True)
    revealed = client.post(f"{url}/reveal", data={"csrf_token": csrf(page)}).get_data(
        as_text=True)
    assert PHONE in revealed and EMAIL in revealed
    engine = sa.create_engine(database)
    with engine.connect() as conn:
        log = conn.execute(sa.text("SELECT sender_id, revealed_by FROM console_reveals")).all()
    engine.dispose()
    assert [tuple(r) for r in log] == [(stored_id(SENDERS["contact"]), "lan")]


def test_the_export_follows_the_filters(client: FlaskClient, auth: AuthActions) -> None:
    auth.login()
    text = client.get("/export.csv", query_string={"handoff": "1"}).get_data(as_text=True)
    conversations = {row["conversation"] for row in csv.DictReader(io.StringIO(text))}
    assert conversations == {shown(SENDERS["handoff"]), shown(SENDERS["confused"])}


def label(client: FlaskClient, name: str, **choice: str) -> None:
    url = f"/conversations/{shown(SENDERS[name])}"
    page = client.get(url).get_data(as_text=True)
    event_id = re.search(r'name="event_id" value="(\d+)"', page)
    assert event_id
    client.post(f"{url}/label", data={"csrf_token": csrf(page),
                                      "event_id": event_id.group(1), **choice})


def test_labels_are_exported_as_rasa_nlu(client: FlaskClient, auth: AuthActions) -> None:
    auth.login()
    label(client, "confused", intent="ask_sleep")
    label(client, "booking", new_intent="ask_gift_card")
    data = yaml.safe_load(client.get("/labels/export.yml").get_data(as_text=True))
    examples: Dict[str, str] = {block["intent"]: block["examples"] for block in data["nlu"]}
    assert data["version"] == "3.1"
    assert examples == {"ask_gift_card": "- I want to book\n", "ask_sleep": f"- {GIBBERISH}\n"}


def test_the_list_follows_new_events_after_a_first_view(client: FlaskClient, auth: AuthActions,
                                                        database: str) -> None:
    auth.login()
    assert len(page_links(client)) == len(SENDERS)
    (newest,) = add_copies(database, "handoff", 1)
    assert page_links(client)[0] == pseudonym(newest, CONSOLE_KEY)
    assert listed(client, handoff="1") == {"handoff", "confused", pseudonym(newest, CONSOLE_KEY)}


def test_the_list_can_be_brought_up_to_date_from_the_command_line(app: Flask) -> None:
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["refresh-list"])
    assert result.output.strip() == f"brought {len(SENDERS)} conversations up to date"
