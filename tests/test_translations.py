"""Every response speaks English, Vietnamese, Korean and Chinese, faithfully.

For each response of the domain (domain.yml, data/faq, data/booking...), a
Vietnamese, a Korean and a Chinese variant exist for each English one, with the same
numbers, the same contact details, the same button payloads, button titles a
WhatsApp button can show (20 characters), and the source and kind unchanged.
"""
import re
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
import yaml

from language.texts import TEXTS
from tests.support.servers import ROOT

TRANSLATIONS = ("vi", "ko", "zh")
WHATSAPP_TITLE_MAX = 20
# The spa's contact details as the article gives them: never translated or reformatted.
CONTACT_DETAILS = ("(+84) 70 818 5397", "(+84) 38 396 7775", "+84708185397", "+84383967775",
                   "84383967775", "booking@pandaspa.vn", "Panda Spa Da Nang",
                   "229 Nguyen Van Thoai", "225 Nguyen Van Thoai")
NUMBER = re.compile(r"\d+(?:[.,:]\d+)*(?:\s*[–—~\-]\s*\d+(?:[.,:]\d+)*)?")


def all_responses() -> Dict[str, List[Dict[str, Any]]]:
    """Responses from domain.yml and every data file that has some."""
    found: Dict[str, List[Dict[str, Any]]] = {}
    files = [ROOT / "domain.yml", *sorted((ROOT / "data").rglob("*.yml"))]
    for path in files:
        content = yaml.safe_load(Path(path).read_text()) or {}
        if isinstance(content, dict):
            found.update(content.get("responses") or {})
    return found


RESPONSES = all_responses()


def conditions(variant: Dict[str, Any]) -> Dict[str, Any]:
    return {c["name"]: c["value"] for c in variant.get("condition") or []
            if c.get("type") == "slot"}


def english_variants(variants: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [v for v in variants if conditions(v).get("language") in (None, "en")]


def counterpart(english: Dict[str, Any], variants: List[Dict[str, Any]],
                language: str) -> Dict[str, Any] | None:
    """The ``language`` variant answering in the same case as ``english``.

    The unconditioned English answer is the default: its counterpart is the
    translation with no other condition, or with ``massage_type: body``.
    """
    others = {k: v for k, v in conditions(english).items() if k != "language"}
    wanted = [others] if others else [{}, {"massage_type": "body"}]
    for variant in variants:
        found = conditions(variant)
        if found.get("language") != language:
            continue
        if {k: v for k, v in found.items() if k != "language"} in wanted:
            return variant
    return None


# A Korean ordinal (제2의 심장, "the second heart"): English writes it as a word.
KOREAN_ORDINAL = re.compile(r"제\d+의")


def numbers(text: str) -> set:
    text = KOREAN_ORDINAL.sub("", text or "")
    return {re.sub(r"\s*[–—~\-]\s*", "-", n) for n in NUMBER.findall(text)}


def pairs() -> List[Tuple[str, int, str]]:
    return [(name, i, language) for name, variants in sorted(RESPONSES.items())
            for i, _ in enumerate(english_variants(variants)) for language in TRANSLATIONS]


PAIRS = pairs()
IDS = [f"{name}[{i}]-{language}" for name, i, language in PAIRS]


def pair(name: str, index: int, language: str) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    english = english_variants(RESPONSES[name])[index]
    translated = counterpart(english, RESPONSES[name], language)
    assert translated is not None, f"{name} has no {language} variant for {conditions(english)}"
    return english, translated


def test_the_responses_were_found() -> None:
    assert {"utter_greet", "utter_contacts", "utter_ask_sleep"} <= set(RESPONSES)


@pytest.mark.parametrize("name,index,language", PAIRS, ids=IDS)
def test_each_english_answer_has_a_translation(name: str, index: int, language: str) -> None:
    english = english_variants(RESPONSES[name])[index]
    assert counterpart(english, RESPONSES[name], language) is not None


@pytest.mark.parametrize("name,index,language", PAIRS, ids=IDS)
def test_a_translation_has_the_same_numbers(name: str, index: int, language: str) -> None:
    english, translated = pair(name, index, language)
    assert numbers(translated.get("text", "")) == numbers(english.get("text", ""))


@pytest.mark.parametrize("name,index,language", PAIRS, ids=IDS)
def test_a_translation_keeps_every_contact_detail(name: str, index: int, language: str) -> None:
    english, translated = pair(name, index, language)
    wanted = [d for d in CONTACT_DETAILS if d in english.get("text", "")]
    assert [d for d in wanted if d not in translated.get("text", "")] == []
    custom = english.get("custom") or {}
    if "contacts" in custom:
        assert (translated.get("custom") or {}).get("contacts") == custom["contacts"]


@pytest.mark.parametrize("name,index,language", PAIRS, ids=IDS)
def test_a_translation_has_the_same_buttons_with_short_titles(
        name: str, index: int, language: str) -> None:
    english, translated = pair(name, index, language)
    english_buttons = english.get("buttons") or []
    buttons = translated.get("buttons") or []
    assert [(b.get("payload"), b.get("url")) for b in buttons] == \
        [(b.get("payload"), b.get("url")) for b in english_buttons]
    assert [b["title"] for b in buttons if len(b["title"]) > WHATSAPP_TITLE_MAX] == []


@pytest.mark.parametrize("name,index,language", PAIRS, ids=IDS)
def test_a_translation_keeps_kind_and_source_and_names_the_translation(
        name: str, index: int, language: str) -> None:
    english, translated = pair(name, index, language)
    custom = english.get("custom") or {}
    if not custom:
        return
    theirs = translated.get("custom") or {}
    assert theirs.get("kind") == custom.get("kind")
    assert theirs.get("language") == language
    if "source" in custom:
        source = theirs.get("source") or {}
        assert {k: source.get(k) for k in ("file", "article", "section")} == \
            {k: custom["source"][k] for k in ("file", "article", "section")}
        assert set(source.get("translated") or {}) >= {"article", "section", "note"}


@pytest.mark.parametrize("name,index,language", PAIRS, ids=IDS)
def test_a_translation_has_its_own_question_title(name: str, index: int, language: str) -> None:
    english, translated = pair(name, index, language)
    question = (english.get("metadata") or {}).get("question")
    if question is None:
        return
    theirs = (translated.get("metadata") or {}).get("question")
    assert theirs and theirs != question


# --- what the channels say on their own --------------------------------------

@pytest.mark.parametrize("key", sorted(TEXTS))
def test_every_channel_text_is_in_every_language(key: str) -> None:
    assert set(TEXTS[key]) == {"en", "vi", "ko", "zh"} and all(TEXTS[key].values())
    assert {numbers(t) == numbers(TEXTS[key]["en"]) for t in TEXTS[key].values()} == {True}


@pytest.mark.parametrize("key", ["talk_to_spa", "options"])
def test_channel_labels_fit_a_whatsapp_button(key: str) -> None:
    assert max(len(t) for t in TEXTS[key].values()) <= WHATSAPP_TITLE_MAX


SLOT_VALUES = [{"language": language, "massage_type": massage_type}
               for language in ("en", "vi", "ko", "zh") for massage_type in ("foot", "body")]


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_at_most_one_conditioned_variant_matches_any_conversation(name: str) -> None:
    """Rasa picks at random among matching variants: an English foot answer conditioned
    only on massage_type would compete with the Vietnamese foot answer."""
    clashes = []
    for slots in SLOT_VALUES:
        matching = [v for v in RESPONSES[name] if conditions(v)
                    and all(slots.get(k) == value for k, value in conditions(v).items())]
        if len(matching) > 1:
            clashes.append(slots)
    assert clashes == []


# --- Chinese: one script, one term, the translation named ---------------------

ZH_VARIANTS = [(name, v) for name, variants in sorted(RESPONSES.items()) for v in variants
               if conditions(v).get("language") == "zh"]
ZH_IDS = [f"{name}-{i}" for i, (name, _) in enumerate(ZH_VARIANTS)]


def zh_strings(variant: Dict[str, Any]) -> List[str]:
    """Every string a Chinese variant shows: text, button titles, question, source."""
    strings = [variant.get("text") or ""]
    strings += [b.get("title", "") for b in variant.get("buttons") or []]
    strings.append((variant.get("metadata") or {}).get("question") or "")
    translated = ((variant.get("custom") or {}).get("source") or {}).get("translated") or {}
    strings += [str(v) for v in translated.values()]
    return [s for s in strings if s]


@pytest.mark.parametrize("name,variant", ZH_VARIANTS, ids=ZH_IDS)
def test_chinese_is_written_in_simplified_with_one_word_for_foot_massage(
        name: str, variant: Dict[str, Any]) -> None:
    """Traditional readers get it converted (language/script.py): the source stays Simplified,
    and foot massage is 足疗 throughout (not 足底按摩 in one answer and 足疗 in the next)."""
    from language.script import to_simplified

    strings = zh_strings(variant)
    assert [s for s in strings if to_simplified(s) != s] == []
    assert [s for s in strings if "足底按摩" in s] == []


@pytest.mark.parametrize("name,variant", [(n, v) for n, v in ZH_VARIANTS
                                          if ((v.get("custom") or {}).get("source"))],
                         ids=lambda value: value if isinstance(value, str) else "")
def test_a_chinese_answer_says_it_is_translated_from_the_english_article(
        name: str, variant: Dict[str, Any]) -> None:
    translated = variant["custom"]["source"].get("translated") or {}
    assert translated.get("note") == "译自英文原文"
    assert translated.get("article") in ("解锁疗愈益处：深入了解按摩疗法", "Panda Spa 足疗益处指南")
