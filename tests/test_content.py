"""The answers are faithful to the spa's articles, and the data is complete."""
import re
from typing import Any, Dict, List

import pytest
import yaml

from tests.helpers import (
    SHARED_ARTICLES,
    SOURCES,
    article_lines,
    heading,
    normalise_dashes,
    section_text,
)
from tests.support.servers import ROOT

FAQ_DIR = ROOT / "data" / "faq"
FAQ_INTENTS = sorted(p.stem for p in FAQ_DIR.glob("*.yml"))
RASA_DEFAULT_INTENTS = {"nlu_fallback", "restart", "session_start", "back"}


def variants(responses: Dict[str, Any]) -> List[Any]:
    return [
        pytest.param(name, v, id=f"{name}[{i}]")
        for name, vs in sorted(responses.items())
        for i, v in enumerate(vs)
    ]


def english(name: str) -> List[Dict[str, Any]]:
    """The English variants of a response (the translations are checked in test_translations)."""
    return [v for v in RESPONSES[name]
            if not any(c.get("name") == "language" and c.get("value") != "en"
                       for c in v.get("condition") or [])]


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


KINDS = {"answer", "handoff", "safety", "not_covered"}
# Kinds that make no claim: no source, and the contacts always follow.
NO_CLAIM_KINDS = {"safety", "not_covered"}


def faq_file(intent: str) -> Dict[str, Any]:
    return yaml.safe_load((FAQ_DIR / f"{intent}.yml").read_text())


def file_responses(intent: str) -> List[Dict[str, Any]]:
    return [v for vs in faq_file(intent)["responses"].values() for v in vs]


def test_every_faq_answer_names_its_source() -> None:
    for intent in FAQ_INTENTS:
        for variant in file_responses(intent):
            if variant["custom"]["kind"] == "answer":
                assert variant["custom"]["source"]["section"], intent


@pytest.mark.parametrize("name,variant", variants(RESPONSES))
def test_every_kind_is_a_known_one(name: str, variant: Dict[str, Any]) -> None:
    kind = (variant.get("custom") or {}).get("kind")
    assert kind is None or kind in KINDS, f"{name}: kind {kind!r}"


@pytest.mark.parametrize("intent", FAQ_INTENTS)
def test_a_faq_rule_lives_in_its_own_file(intent: str) -> None:
    (rule,) = faq_file(intent)["rules"]
    steps = rule["steps"]
    assert steps[0] == {"intent": intent}
    own = set(faq_file(intent)["responses"])
    for step in steps[1:]:
        assert step["action"] in own | {"utter_contacts"}, f"{intent}: {step}"


def test_no_faq_rule_outside_its_own_file() -> None:
    for path in (ROOT / "data" / "rules").glob("*.yml"):
        content = yaml.safe_load(path.read_text()) or {}
        intents = {step.get("intent") for rule in content.get("rules", [])
                   for step in rule["steps"]}
        assert intents.isdisjoint(FAQ_INTENTS), path.name


NO_CLAIM_INTENTS = [
    intent for intent in FAQ_INTENTS
    if {v["custom"]["kind"] for v in file_responses(intent)} & NO_CLAIM_KINDS
]


def test_the_questions_without_an_article_answer_are_known() -> None:
    assert NO_CLAIM_INTENTS == ["ask_health_condition", "ask_not_covered", "ask_services"]


@pytest.mark.parametrize("intent", NO_CLAIM_INTENTS)
def test_answers_that_make_no_claim_cite_nothing_and_give_the_contacts(intent: str) -> None:
    kinds = {v["custom"]["kind"] for v in file_responses(intent)}
    assert kinds <= NO_CLAIM_KINDS, intent
    assert all("source" not in v["custom"] for v in file_responses(intent)), intent
    (rule,) = faq_file(intent)["rules"]
    assert rule["steps"][-1] == {"action": "utter_contacts"}, intent


@pytest.mark.parametrize("intent", ["ask_not_covered", "ask_services"])
def test_questions_the_articles_cannot_answer_get_no_benefit_claim(intent: str) -> None:
    for variant in english(f"utter_{intent}"):
        text = variant["text"].lower()
        assert "don't" in text and "team" in text, intent
        assert not re.search(r"\b(helps?|relieves?|improves?|reduces?|eases?|boosts?)\b",
                             text), intent
        assert not variant.get("buttons"), intent


@pytest.mark.parametrize("intent", ["ask_why_massage", "ask_not_covered", "ask_services"])
def test_newer_questions_have_twenty_five_examples(intent: str, nlu_data: Any) -> None:
    examples = {m.get("text").lower() for m in nlu_data.intent_examples
                if m.get("intent") == intent}
    assert len(examples) >= 25, intent


def test_only_the_foot_guide_is_called_the_spas_own() -> None:
    for name, vs in RESPONSES.items():
        for variant in vs:
            text = variant["text"].lower()
            assert "spa's own articles" not in text, name
            assert "spa's articles" not in text, name
            assert "panda spa's guide" not in text or (
                variant["custom"]["source"]["file"] == "foot-massage-benefits-panda-spa.txt"
            ), name


def test_frequency_names_the_foot_guide_and_a_short_massage_at_home() -> None:
    for variant in english("utter_ask_frequency"):
        assert "foot massage guide" in variant["text"], variant["text"]
        assert "at home" in variant["text"], variant["text"]
        assert "depends on your goals and health condition" in variant["text"]


def test_pregnancy_answers_say_safety_is_not_covered_and_send_to_a_doctor() -> None:
    for variant in english("utter_ask_pregnancy"):
        text = variant["text"]
        assert re.search(r"(don't|doesn't) cover whether .*safe", text) or (
            "Neither article covers whether" in text), text
        assert "doctor" in text, text


@pytest.mark.parametrize("response", ["utter_ask_depression_anxiety", "utter_health_caution"])
def test_mental_health_and_safety_answers_send_to_a_doctor(response: str) -> None:
    for variant in english(response):
        assert "doctor" in variant["text"], (response, variant["text"])


def test_the_safety_answer_says_not_to_stop_medication_without_a_doctor() -> None:
    (variant,) = english("utter_health_caution")
    assert "don't stop or change any medication without your doctor" in variant["text"]


def test_injury_answers_send_a_recent_injury_to_a_doctor_first() -> None:
    for variant in english("utter_ask_sports_massage"):
        assert "recent or acute injury, check with a doctor first" in variant["text"]


def two_article_intents() -> set:
    return {
        name[len("utter_"):]
        for name, vs in RESPONSES.items()
        if any(c.get("value") == "foot" for v in vs for c in v.get("condition") or [])
    }


def unconditioned_foot_guide_answers() -> List[Any]:
    """Foot-guide answers shown whatever the slot, so their buttons must set it."""
    return [
        p for p in sourced(RESPONSES)
        if p.values[1]["custom"]["source"]["file"] == "foot-massage-benefits-panda-spa.txt"
        and not any(c.get("value") == "foot" for c in p.values[1].get("condition") or [])
    ]


@pytest.mark.parametrize("name,variant", unconditioned_foot_guide_answers())
def test_foot_guide_answers_keep_the_foot_context_in_their_buttons(
    name: str, variant: Dict[str, Any]
) -> None:
    for button in variant.get("buttons") or []:
        intent = str(button.get("payload", "")).lstrip("/").split("{")[0]
        if intent in two_article_intents():
            assert '"massage_type": "foot"' in button["payload"], (name, button)


@pytest.mark.parametrize("name,variant", sourced(RESPONSES))
def test_source_section_exists_in_the_article(name: str, variant: Dict[str, Any]) -> None:
    source = variant["custom"]["source"]
    assert (SOURCES / source["file"]).is_file(), source["file"]
    headings = {heading(line) for line in article_lines(source["file"])}
    assert source["section"] in headings, f"{name}: no section {source['section']!r}"


KOREAN_ORDINAL = re.compile(r"제\d+의")


@pytest.mark.parametrize("name,variant", sourced(RESPONSES))
def test_every_number_in_an_answer_is_in_its_section(name: str, variant: Dict[str, Any]) -> None:
    source = variant["custom"]["source"]
    section = normalise_dashes(section_text(source["file"], source["section"]))
    section_digits = re.sub(r"\D", "", section)
    # a Korean ordinal (제2의 심장, "the second heart") is a word in English, not a number
    text = KOREAN_ORDINAL.sub("", normalise_dashes(variant["text"]))
    for number in re.findall(r"\d+(?:-\d+)?", text):
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
    (card,) = english("utter_contacts")
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


def project_copy(tmp_path: Any) -> Any:
    """The files `make new-question` edits, copied under ``tmp_path``."""
    import shutil

    shutil.copytree(FAQ_DIR, tmp_path / "data" / "faq")
    (tmp_path / "tests" / "stories").mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "stories" / "faq_answers.yml",
                tmp_path / "tests" / "stories" / "faq_answers.yml")
    shutil.copy(ROOT / "domain.yml", tmp_path / "domain.yml")
    return tmp_path


def test_new_question_scaffolds_file_rule_domain_entry_and_story(tmp_path: Any) -> None:
    from scripts.new_question import scaffold

    root = project_copy(tmp_path)
    path = scaffold("ask_hydration", root)
    content = yaml.safe_load(path.read_text())
    assert [b["intent"] for b in content["nlu"]] == ["ask_hydration"]
    (variant,) = content["responses"]["utter_ask_hydration"]
    assert variant["metadata"]["question"] and variant["custom"]["source"]["section"]
    assert content["rules"][0]["steps"] == [{"intent": "ask_hydration"},
                                            {"action": "utter_ask_hydration"}]
    intents = yaml.safe_load((root / "domain.yml").read_text())["intents"]
    assert intents.index("ask_hydration") == intents.index("book") - 1
    stories = yaml.safe_load((root / "tests" / "stories" / "faq_answers.yml").read_text())
    assert stories["stories"][-1]["steps"][-1] == {"action": "utter_ask_hydration"}


def test_new_question_refuses_an_existing_question(tmp_path: Any) -> None:
    from scripts.new_question import scaffold

    root = project_copy(tmp_path)
    with pytest.raises(FileExistsError):
        scaffold("ask_sleep", root)
