"""Languages in the staff console, over seeded conversations in en, vi, ko and zh.

The conversations are Rasa's own events (the language slot set after each
visitor message, as the pipeline does) written to a fresh SQLite database;
the console is served over real HTTP on loopback.
"""
import json
import re
import uuid
from pathlib import Path
from typing import Dict, List

import pytest
import requests
import sqlalchemy as sa
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

from console import db
from console.privacy import pseudonym
from tests.console_support import CONSOLE_KEY
from tests.test_media_reactions import console_on, page

SLEEP_VI = "mát xa chân có giúp ngủ ngon không"
SLEEP_KO = "발 마사지가 수면에 도움이 되나요"
SLEEP_EN = "does foot massage help with sleep?"
SLEEP_ZH = "做足療能幫我入睡嗎"  # Traditional, as a visitor from Taiwan writes
GIBBERISH_VI = "cai nay la gi vay ban oi"


def turn(text: str, intent: str, confidence: float, language: str | None, answer: str,
         t: float, rating: str = "") -> List[Event]:
    """One visitor message and the bot's answer, as Rasa stores them."""
    events: List[Event] = [UserUttered(text, {"name": intent, "confidence": confidence},
                                       [], None, timestamp=t, input_channel="rest")]
    if language:
        events.append(SlotSet("language", language, timestamp=t + 0.1))
    events += [ActionExecuted(f"utter_{intent}", timestamp=t + 0.2),
               BotUttered(answer, {}, {"utter_action": f"utter_{intent}"}, timestamp=t + 0.3),
               ActionExecuted("action_listen", timestamp=t + 0.4)]
    if rating:
        events += [UserUttered(f'/feedback{{"rating": "{rating}"}}',
                               {"name": "feedback", "confidence": 1.0},
                               [{"entity": "rating", "value": rating},
                                {"entity": "answer", "value": f"utter_{intent}"}],
                               timestamp=t + 1, input_channel="rest"),
                   ActionExecuted("action_listen", timestamp=t + 1.1)]
    return events


@pytest.fixture
def seeded(tmp_path: Path) -> Dict[str, str]:
    """Four conversations: English, Vietnamese (one unsure turn, a 👍), Korean, Chinese."""
    url = f"sqlite:///{tmp_path / 'languages.db'}"
    tag = uuid.uuid4().hex[:6]
    senders = {"en": f"en-{tag}", "vi": f"vi-{tag}", "ko": f"ko-{tag}", "zh": f"zh-{tag}"}
    start = 1_790_000_000.0
    conversations = {
        senders["en"]: turn(SLEEP_EN, "ask_sleep", 0.93, None, "A gentle foot massage…", start),
        senders["vi"]: turn(SLEEP_VI, "ask_sleep", 0.88, "vi", "Mát xa chân nhẹ nhàng…",
                            start + 10, rating="up")
        + turn(GIBBERISH_VI, "nlu_fallback", 0.2, None, "Mình chưa hiểu rõ…", start + 20)
        + turn("ok", "affirm", 0.9, None, "Vâng!", start + 30),
        senders["ko"]: turn(SLEEP_KO, "ask_sleep", 0.9, "ko", "발 마사지는…", start + 40),
        senders["zh"]: turn(SLEEP_ZH, "ask_sleep", 0.91, "zh", "睡前做足療…", start + 50),
    }
    engine = sa.create_engine(url)
    db.metadata.create_all(engine)
    with engine.begin() as conn:
        for sender, events in conversations.items():
            for event in events:
                data = event.as_dict()
                conn.execute(db.events.insert().values(
                    sender_id=sender, type_name=event.type_name, timestamp=data["timestamp"],
                    intent_name=(data.get("parse_data") or {}).get("intent", {}).get("name"),
                    action_name=data.get("name"), data=json.dumps(data)))
    engine.dispose()
    return {"url": url, **senders}


def link(stored_id: str) -> str:
    """How the console links a conversation: its pseudonym."""
    return pseudonym(stored_id, CONSOLE_KEY)


def listed(session: requests.Session, **params: str) -> List[str]:
    html = session.get(f"{session.base}/", params=params).text  # type: ignore[attr-defined]
    return re.findall(r'<tr class="conversation">.*?<td class="language">([^<]*)</td>.*?'
                      r'href="/conversations/([^"]+)"', html, re.S)


def test_the_list_shows_each_conversation_language_and_filters_by_it(
        seeded: Dict[str, str]) -> None:
    with console_on(seeded["url"]) as console:
        everything = {shown: language for language, shown in listed(console)}
        assert everything == {link(seeded["en"]): "en", link(seeded["vi"]): "vi",
                              link(seeded["ko"]): "ko", link(seeded["zh"]): "zh"}
        assert [s for _, s in listed(console, language="zh")] == [link(seeded["zh"])]
        assert [s for _, s in listed(console, language="vi")] == [link(seeded["vi"])]
        assert [s for _, s in listed(console, language="ko")] == [link(seeded["ko"])]
        assert [s for _, s in listed(console, language="en")] == [link(seeded["en"])]


def test_a_message_whose_language_cannot_be_told_keeps_the_conversation_language(
        seeded: Dict[str, str]) -> None:
    with console_on(seeded["url"]) as console:
        transcript = page(console, f"/conversations/{link(seeded['vi'])}")
    assert re.findall(r'<td class="language">(\w+)</td>', transcript) == ["vi", "vi", "vi", "vi"]


def test_the_dashboard_has_figures_per_language(seeded: Dict[str, str]) -> None:
    with console_on(seeded["url"]) as console:
        dashboard = page(console, "/dashboard")
    rows = {code: dict(re.findall(r'<td class="([\w-]+)">([^<]*)</td>', body))
            for code, body in re.findall(r'<tr class="language" data-language="(\w+)">(.*?)</tr>',
                                         dashboard, re.S)}
    assert rows["vi"] == {"conversations": "1", "questions": "3", "fallback-rate": "33%",
                          "handoffs": "0", "helpful": "1", "not-helpful": "0",
                          "not-delivered": "0"}
    assert rows["ko"]["questions"] == "1" and rows["ko"]["fallback-rate"] == "0%"
    assert rows["en"]["conversations"] == "1" and rows["en"]["helpful"] == "0"
    assert rows["zh"]["conversations"] == "1" and rows["zh"]["questions"] == "1"


def test_the_label_export_keeps_each_label_language_and_rasa_reads_it(
        seeded: Dict[str, str]) -> None:
    with console_on(seeded["url"]) as console:
        for sender in (seeded["vi"], seeded["en"], seeded["ko"]):
            transcript = page(console, f"/conversations/{link(sender)}")
            token = re.search(r'name="csrf_token" value="([^"]+)"', transcript).group(1)  # type: ignore[union-attr]
            event_id = re.search(r'name="event_id" value="(\d+)"', transcript).group(1)  # type: ignore[union-attr]
            console.post(f"{console.base}/conversations/{link(sender)}/label", data={  # type: ignore[attr-defined]
                "csrf_token": token, "event_id": event_id, "intent": "ask_sleep"})
        exported = page(console, "/labels/export.yml")
    reader = RasaYAMLReader()
    data = reader.reads(exported)
    by_text = {m.get("text"): m.get("intent") for m in data.intent_examples}
    assert by_text == {SLEEP_VI: "ask_sleep", SLEEP_EN: "ask_sleep", SLEEP_KO: "ask_sleep"}
    import yaml

    blocks = [(b["intent"], b["metadata"]["language"], b["examples"])
              for b in yaml.safe_load(exported)["nlu"]]
    assert blocks == [("ask_sleep", "en", f"- {SLEEP_EN}\n"),
                      ("ask_sleep", "vi", f"- {SLEEP_VI}\n"),
                      ("ask_sleep", "ko", f"- {SLEEP_KO}\n")]
