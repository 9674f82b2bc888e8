"""The answers are faithful to the spa's articles, and the data is complete."""
import re
from typing import Any, Dict, List

import pytest
import yaml

from scripts.servers import ROOT
from tests.helpers import (
    SHARED_ARTICLES,
    SOURCES,
    article_lines,
    heading,
    normalise_dashes,
    section_text,
)

FAQ_DIR = ROOT / "data" / "faq"
FAQ_INTENTS = sorted(p.stem for p in FAQ_DIR.glob("*.yml"))
RASA_DEFAULT_INTENTS = {"nlu_fallback", "restart", "session_start", "back"}


def variants(responses: Dict[str, Any]) -> List[Any]:
    return [
        pytest.param(name, v, id=f"{name}[{i}]")
        for name, vs in sorted(responses.items())
        for i, v in enumerate(vs)
    ]


def sourced(responses: Dict[str, Any]) -> List[Any]:
    return [
        pytest.param(name, v, id=f"{name}[{i}]")
        for name, vs in sorted(responses.items())
        for i, v in enumerate(vs)
        if (v.get("custom") or {}).get("source")
    ]


def _responses() -> Dict[str, Any]:
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_config(
        str(ROOT / "config.yml"), str(ROOT / "domain.yml"), [str(ROOT / "data")]
    )
    return importer.get_domain().responses


RESPONSES = _responses()


def test_source_copies_match_the_shared_articles() -> None:
    if not SHARED_ARTICLES.is_dir():
        pytest.skip("no shared/articles beside the project")
    for article in SHARED_ARTICLES.glob("*.txt"):
        assert (SOURCES / article.name).read_text() == article.read_text(), article.name


def test_every_faq_answer_names_its_source() -> None:
    for intent in FAQ_INTENTS:
        if intent == "ask_health_condition":
            continue
        for variant in RESPONSES[f"utter_{intent}"]:
            assert variant["custom"]["source"]["section"], intent


@pytest.mark.parametrize("name,variant", sourced(RESPONSES))
def test_source_section_exists_in_the_article(name: str, variant: Dict[str, Any]) -> None:
    source = variant["custom"]["source"]
    assert (SOURCES / source["file"]).is_file(), source["file"]
    headings = {heading(line) for line in article_lines(source["file"])}
    assert source["section"] in headings, f"{name}: no section {source['section']!r}"


@pytest.mark.parametrize("name,variant", sourced(RESPONSES))
def test_every_number_in_an_answer_is_in_its_section(name: str, variant: Dict[str, Any]) -> None:
    source = variant["custom"]["source"]
    section = normalise_dashes(section_text(source["file"], source["section"]))
    section_digits = re.sub(r"\D", "", section)
    for number in re.findall(r"\d+(?:-\d+)?", normalise_dashes(variant["text"])):
        assert number in section or number in section_digits, f"{name}: {number} not in source"


@pytest.mark.parametrize(
    "response,figure,article_says",
    [
        ("utter_ask_frequency", "2-3 sessions a week", "2-3 sessions per week"),
        ("utter_ask_frequency", "15-20 minute", "15-20 minutes"),
        ("utter_ask_sleep", "30-60 minutes before bedtime", "30-60 minutes before bedtime"),
    ],
)
def test_key_figures_match_the_article(response: str, figure: str, article_says: str) -> None:
    answer = " ".join(normalise_dashes(v["text"]) for v in RESPONSES[response])
    assert figure in answer
    cited = {
        (v["custom"]["source"]["file"], v["custom"]["source"]["section"])
        for v in RESPONSES[response]
        if figure in normalise_dashes(v["text"])
    }
    for file, section in cited:
        assert article_says in normalise_dashes(section_text(file, section))


@pytest.mark.parametrize("name,variant", variants(RESPONSES))
def test_answers_are_chat_sized(name: str, variant: Dict[str, Any]) -> None:
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", variant["text"].strip()) if s]
    assert len(sentences) <= 3, f"{name} has {len(sentences)} sentences"


@pytest.mark.parametrize("name,variant", variants(RESPONSES))
def test_no_price_or_opening_hour_is_invented(name: str, variant: Dict[str, Any]) -> None:
    text = variant["text"].lower()
    assert not re.search(r"(\$|usd|vnd|đ|dong)\s*\d|\d[\d.,]*\s*(k\b|vnd|usd|đ|dong|\$)", text)
    assert not re.search(r"\b\d{1,2}(:\d\d)?\s*(am|pm)\b|\b\d{1,2}:\d\d\b", text)


def test_handoff_gives_every_contact_as_a_link() -> None:
    (card,) = RESPONSES["utter_contacts"]
    for detail in ["(+84) 70 818 5397", "(+84) 38 396 7775", "booking@pandaspa.vn",
                   "Panda Spa Da Nang", "229 Nguyen Van Thoai", "225 Nguyen Van Thoai"]:
        assert detail in card["text"]
    urls = {b["url"] for b in card["buttons"]}
    assert {"tel:+84708185397", "https://wa.me/84383967775", "mailto:booking@pandaspa.vn"} <= urls
    article_digits = re.sub(r"\D", "", "\n".join(article_lines(card["custom"]["source"]["file"])))
    for phone in ["84708185397", "84383967775"]:
        assert phone in article_digits


def test_every_faq_intent_has_fifteen_varied_examples(nlu_data: Any) -> None:
    by_intent: Dict[str, List[str]] = {}
    for message in nlu_data.intent_examples:
        by_intent.setdefault(message.get("intent"), []).append(message.get("text"))
    for intent in FAQ_INTENTS:
        examples = by_intent[intent]
        assert len(set(e.lower() for e in examples)) >= 15, intent


def test_every_intent_is_answered_by_a_rule(domain: Any, importer: Any) -> None:
    ruled = {
        event.intent_name
        for step in importer.get_stories().story_steps
        for event in step.events
        if getattr(event, "intent_name", None)
    }
    assert set(domain.intents) - ruled - RASA_DEFAULT_INTENTS == set()


def test_faq_files_hold_their_own_answer() -> None:
    for path in FAQ_DIR.glob("*.yml"):
        content = yaml.safe_load(path.read_text())
        intents = {block["intent"] for block in content["nlu"]}
        assert intents == {path.stem}, path.name
        assert content["responses"], path.name


def test_every_intent_is_in_the_test_stories_and_the_heldout_set(domain: Any) -> None:
    stories = "\n".join(p.read_text() for p in (ROOT / "tests" / "stories").glob("*.yml"))
    heldout = (ROOT / "tests" / "heldout" / "nlu.yml").read_text()
    for intent in domain.intents:
        if intent in RASA_DEFAULT_INTENTS:
            continue
        assert f"intent: {intent}\n" in stories, f"{intent} has no test story"
        assert f"- intent: {intent}\n" in heldout, f"{intent} has no held-out examples"
