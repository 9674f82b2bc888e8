"""channels/render.py: the same answer rendered for every medium, within its limits."""

import pytest
import yaml

from channels import render
from channels.render import Choice, Link, Reply
from tests.support.servers import ROOT

ANSWER = {
    "text": "A gentle foot massage 30–60 minutes before bedtime relaxes the whole body.",
    "buttons": [
        {"title": "Best time for a massage?", "payload": "/ask_best_time"},
        {"title": "How often should I come?", "payload": "/ask_frequency"},
        {"title": "Book a session", "payload": "/book"},
    ],
    "custom": {"kind": "answer", "source": {
        "file": "foot-massage-benefits-panda-spa.txt",
        "article": "Panda Spa's guide to the benefits of foot massage",
        "section": "2.3. Benefit 3: Lulls You into Deep Sleep – Ending Restless Nights"}},
}


@pytest.fixture(scope="module")
def contacts() -> Reply:
    """The English contact card, read from domain.yml (no Rasa import: this tier is fast)."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    card = next(v for v in domain["responses"]["utter_contacts"] if not v.get("condition"))
    return Reply.from_rasa(card)


def test_reading_a_rasa_message() -> None:
    reply = Reply.from_rasa(ANSWER)
    assert reply.choices[0] == Choice("Best time for a massage?", "/ask_best_time")
    assert reply.source == ("Source: Panda Spa's guide to the benefits of foot massage, "
                            "“2.3. Benefit 3: Lulls You into Deep Sleep – Ending Restless Nights”")


def test_contact_links_are_links(contacts: Reply) -> None:
    assert Link("Call Hotline 1", "tel:+84708185397") in contacts.links
    assert contacts.choices == []
    assert contacts.source is None


def test_web_shows_text_buttons_links_and_source(contacts: Reply) -> None:
    (answer,) = render.to_web(Reply.from_rasa(ANSWER))
    assert answer["quick_replies"][0] == {"content_type": "text",
                                          "title": "Best time for a massage?",
                                          "payload": "/ask_best_time"}
    assert answer["text"].startswith("A gentle foot massage")
    assert answer["text"].endswith("*Source: Panda Spa's guide to the benefits of foot massage, "
                                   "“2.3. Benefit 3: Lulls You into Deep Sleep – Ending Restless "
                                   "Nights”*")
    (card,) = render.to_web(contacts)
    assert {"type": "web_url", "title": "WhatsApp Hotline 2",
            "url": "https://wa.me/84383967775"} in card["quick_replies"]


def test_messenger_limits(contacts: Reply) -> None:
    long = Reply(text="word " * 900, choices=[Choice(f"Question number {i} is long", f"/q{i}")
                                             for i in range(20)])
    messages = render.to_messenger(long)
    texts = [m["text"] for m in messages if "text" in m]
    assert len(texts) >= 3 and all(len(t) <= render.MESSENGER_TEXT_MAX for t in texts)
    assert " ".join(texts).split() == long.text.split()
    quick = messages[-1]["quick_replies"]
    assert len(quick) == 13 and all(len(q["title"]) <= 20 for q in quick)
    templates = [m["attachment"]["payload"] for m in render.to_messenger(contacts)
                 if "attachment" in m]
    assert all(len(t["buttons"]) <= 3 for t in templates)
    buttons = [b for t in templates for b in t["buttons"]]
    assert {"type": "phone_number", "title": "Call Hotline 1",
            "payload": "+84708185397"} in buttons
    assert all(b.get("url", "https://").startswith("https://") for b in buttons)


def test_twilio_numbered_list_never_shows_a_payload(contacts: Reply) -> None:
    (body,) = render.to_twilio_whatsapp(Reply.from_rasa(ANSWER))
    assert "1. Best time for a massage?\n2. How often should I come?\n3. Book a session" in body
    assert "/ask" not in body and "/book" not in body
    (card,) = render.to_twilio_whatsapp(contacts)
    assert "Call Hotline 1: +84708185397" in card and "booking@pandaspa.vn" in card


def test_numeric_reply_maps_back_to_its_choice() -> None:
    choices = Reply.from_rasa(ANSWER).choices
    assert render.choice_for_number(" 2 ", choices) == Choice("How often should I come?",
                                                             "/ask_frequency")
    assert render.choice_for_number("3.", choices).payload == "/book"
    assert render.choice_for_number("4", choices).title == "👍"
    assert render.choice_for_number("6", choices) is None
    assert render.choice_for_number("two", choices) is None


def test_answers_can_be_rated() -> None:
    reply = Reply.from_rasa({**ANSWER, "utter_action": "utter_ask_sleep"})
    assert reply.choices[-2:] == [
        Choice("👍", '/feedback{"rating": "up", "answer": "utter_ask_sleep"}'),
        Choice("👎", '/feedback{"rating": "down", "answer": "utter_ask_sleep"}')]
    assert Reply.from_rasa({"text": "Hi", "buttons": ANSWER["buttons"]}).choices == (
        Reply.from_rasa(ANSWER).choices[:3])


def test_whatsapp_cloud_buttons_and_lists() -> None:
    three = Reply(text="Which one?", choices=Reply.from_rasa(ANSWER).choices[:3])
    (message,) = render.to_whatsapp_cloud(three, "8490")
    assert message["type"] == "interactive" and message["interactive"]["type"] == "button"
    buttons = message["interactive"]["action"]["buttons"]
    assert len(buttons) == 3 and all(len(b["reply"]["title"]) <= 20 for b in buttons)
    (answer,) = render.to_whatsapp_cloud(Reply.from_rasa(ANSWER), "8490")
    assert answer["interactive"]["type"] == "list"
    assert "Source: " in answer["interactive"]["body"]["text"]
    many = Reply(text="Did you mean", choices=[Choice(f"A fairly long question {i}", f"/q{i}")
                                               for i in range(12)])
    (listed,) = render.to_whatsapp_cloud(many, "8490")
    rows = listed["interactive"]["action"]["sections"][0]["rows"]
    assert listed["interactive"]["type"] == "list"
    assert len(rows) == 10 and all(len(r["title"]) <= 24 for r in rows)


def test_long_whatsapp_text_is_split() -> None:
    parts = render.to_whatsapp_cloud(Reply(text="x " * 3000), "8490")
    assert len(parts) == 2
    assert all(len(p["text"]["body"]) <= render.WHATSAPP_TEXT_MAX for p in parts)
