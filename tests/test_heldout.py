"""Held-out sets, never trained on: understood well enough, and not leaked.

- nlu: paraphrases of the trained questions (gate 95%, the goal);
- real_en: questions real visitors wrote on public pages (goal 90%, floor 93%);
- vi, ko, zh: Vietnamese (also without diacritics), Korean and Chinese
  (Simplified and Traditional) questions (goal 90%, floors 93%, 95%, 93%);
- sealed_en, sealed_vi, sealed_ko, sealed_zh: questions collected after the NLU
  was last tuned, scored and never tuned to (tests/heldout/sealed/README.md):
  English 90%, Vietnamese, Korean and Chinese 95% each.
In every set, no question about a condition the articles don't cover may get a
benefit answer. Each accuracy test writes its per-category table to
results/heldout-<set>.md (a sealed set's without its questions).
"""
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Tuple

import pytest

from scripts.heldout import (
    FALLBACK,
    NO_BENEFIT_CLAIM,
    SAFETY,
    SET_NAMES,
    evaluate,
    is_right,
    load_cases,
    near_copy,
    normalise,
    set_path,
    write_report,
)
from tests.support.servers import ROOT, Bot

# What make test enforces. Open sets: the goals where the model reaches them
# (paraphrases 95%), elsewhere floors a little under what it reaches today,
# above the goals, so a change that makes the bot worse fails. Sealed sets: the
# issue's targets (English 90%, Vietnamese, Korean and Chinese 95%, no benefit
# answer to an uncovered condition) are NOT reached yet; their gates are floors a
# little under the figures of 2026-12-06 (README, "Measured on real questions"), so the
# bot cannot get worse on questions nobody here has seen, and GOAL keeps the
# targets in view. Raise a floor when a change lifts its figure.
MIN_ACCURACY = {"nlu": 0.95, "real_en": 0.93, "vi": 0.93, "ko": 0.95, "zh": 0.93,
                "sealed_en": 0.80, "sealed_vi": 0.55, "sealed_ko": 0.58, "sealed_zh": 0.68}
GOAL = {"nlu": 0.95, "real_en": 0.90, "vi": 0.90, "ko": 0.90, "zh": 0.90,
        "sealed_en": 0.90, "sealed_vi": 0.95, "sealed_ko": 0.95, "sealed_zh": 0.95}
# confident unfaithful answers: "did you mean" is the honest reply when unsure
MAX_WRONG = {"nlu": 0.05, "real_en": 0.05, "safety_en": 0.05, "vi": 0.05, "ko": 0.05,
             "zh": 0.05, "sealed_en": 0.16, "sealed_vi": 0.34, "sealed_ko": 0.23,
             "sealed_zh": 0.18}
# uncovered conditions given a benefit answer: none, but in sealed_en, where 5
# (3 read as the blood-pressure answer, 1 immunity, 1 "why massage") remain
MAX_BENEFIT_FOR_CONDITION = {"sealed_en": 5}
SEALED_TARGETS_MET = False
ALL_SETS = SET_NAMES
SEALED_SETS = tuple(n for n in ALL_SETS if n.startswith("sealed_"))
OPEN_SETS = tuple(n for n in ALL_SETS if n not in SEALED_SETS)
# confident unfaithful answers: "did you mean" is the honest reply when unsure
MIN_SIZE = {"real_en": 220, "safety_en": 45, "vi": 65, "ko": 65, "zh": 120,
            "sealed_en": 150, "sealed_vi": 75, "sealed_ko": 75, "sealed_zh": 100}

def test_every_gate_is_at_least_its_goal() -> None:
    """Open sets are gated at their goals; sealed ones only once the targets are met."""
    below = sorted(name for name in GOAL if MIN_ACCURACY[name] < GOAL[name])
    if SEALED_TARGETS_MET:
        assert below == [] and not MAX_BENEFIT_FOR_CONDITION
    else:
        assert below and all(name.startswith("sealed_") for name in below)
        assert set(MAX_BENEFIT_FOR_CONDITION) <= set(below)


def test_normalise_removes_case_punctuation_and_vietnamese_diacritics() -> None:
    assert normalise("  Massage CHÂN có giúp ngủ ngon không?! ") == (
        "massage chan co giup ngu ngon khong")
    assert normalise("Đau đầu") == "dau dau"
    assert normalise("발마사지, 불면증!") == "발마사지 불면증"


def test_near_copy_flags_reworded_copies_and_not_other_questions() -> None:
    def check(a: str, b: str) -> bool:
        a, b = normalise(a), normalise(b)
        return near_copy(a, frozenset(a.split()), b, frozenset(b.split()))

    assert check("does massage help me sleep?", "Does massage help me sleep")
    assert check("massage chân có giúp ngủ ngon không", "massage chan co giup ngu ngon khong a")
    assert not check("does massage help me sleep?", "does massage help with stress?")


def test_an_intent_blocks_other_faithful_answers_are_read(tmp_path: Path) -> None:
    held = tmp_path / "set.yml"
    held.write_text('version: "3.1"\nnlu:\n'
                    "- intent: ask_circulation\n  metadata:\n"
                    "    also_right: [ask_health_condition]\n  examples: |\n    - swollen ankles\n"
                    "- intent: ask_sleep\n  examples: |\n    - cannot sleep\n")
    cases = {c.text: c for c in load_cases(held)}
    assert cases["swollen ankles"].expect == ("ask_circulation", "ask_health_condition")
    assert cases["swollen ankles"].category == "ask_circulation"
    assert cases["cannot sleep"].expect == ("ask_sleep",)


def test_did_you_mean_counts_only_where_no_answer_fits() -> None:
    assert is_right(("out_of_scope",), FALLBACK)
    assert not is_right(("ask_sleep",), FALLBACK)
    assert not is_right(("ask_not_covered", "book"), FALLBACK)
    assert is_right(("ask_services", "ask_not_covered"), "ask_not_covered")


@pytest.fixture(scope="module")
def trained(nlu_data: Any) -> List[Tuple[str, str, FrozenSet[str]]]:
    """Every training example: (original, normalised, token set)."""
    out = []
    for message in nlu_data.intent_examples:
        text = message.get("text")
        norm = normalise(text)
        out.append((text, norm, frozenset(norm.split())))
    return out


def _copied_rows(name: str, trained: List[Tuple[str, str, FrozenSet[str]]]) -> Dict[int, Any]:
    """Row number -> (question, first training example it nearly copies)."""
    copied = {}
    for number, case in enumerate(load_cases(set_path(name)), start=1):
        norm = normalise(case.text)
        tokens = frozenset(norm.split())
        original = next((o for o, t_norm, t_tokens in trained
                         if near_copy(norm, tokens, t_norm, t_tokens)), None)
        if original is not None:
            copied[number] = (case.text, original)
    return copied


@pytest.mark.parametrize("name", OPEN_SETS)
def test_heldout_questions_are_not_among_the_training_examples(
    name: str, trained: List[Tuple[str, str, FrozenSet[str]]]
) -> None:
    leaks = list(_copied_rows(name, trained).values())
    assert leaks == [], f"held-out questions copied into data/: {leaks}"


@pytest.mark.parametrize("name", SEALED_SETS)
def test_no_sealed_question_is_among_the_training_examples(
    name: str, trained: List[Tuple[str, str, FrozenSet[str]]]
) -> None:
    """As for the open sets, but the failure names rows, never a sealed question."""
    rows = sorted(_copied_rows(name, trained))
    assert rows == [], (f"{name}: rows {rows} have a near copy in data/ "
                        "(never copy a sealed question)")


@pytest.mark.parametrize("name", ALL_SETS)
def test_every_expected_intent_is_an_intent_of_the_bot(name: str, domain: Any) -> None:
    known = set(domain.intents) | {FALLBACK}
    unknown = sorted({i for c in load_cases(set_path(name)) for i in c.expect} - known)
    assert unknown == []


@pytest.mark.parametrize("name", sorted(MIN_SIZE))
def test_heldout_set_has_its_minimum_size(name: str) -> None:
    assert len(load_cases(set_path(name))) >= MIN_SIZE[name]


@pytest.mark.parametrize("name", ("real_en", "safety_en"))
def test_every_real_question_keeps_its_page_address(name: str) -> None:
    without = [c.text for c in load_cases(set_path(name))
               if not c.url.startswith(("http://", "https://"))]
    assert without == []


def test_a_third_of_the_vietnamese_questions_are_typed_without_diacritics() -> None:
    cases = load_cases(set_path("vi"))
    plain = [c for c in cases if c.text.isascii()]
    assert len(plain) * 3 >= len(cases)


@pytest.fixture(scope="module")
def parsed(bot: Bot) -> Dict[str, List[Dict[str, Any]]]:
    """Every question of every set, parsed by the running bot."""
    return {name: [bot.parse(c.text) for c in load_cases(set_path(name))]
            for name in ALL_SETS}


@pytest.mark.parametrize("name", sorted(MIN_ACCURACY))
def test_heldout_accuracy_reaches_its_gate(
    name: str, parsed: Dict[str, List[Dict[str, Any]]]
) -> None:
    result = evaluate(load_cases(set_path(name)), parsed[name])
    out = write_report(result, name, ROOT / "results")
    print(f"{name}: {result['accuracy']:.1%} ({result['correct']}/{result['total']}), {out}")
    assert result["accuracy"] >= MIN_ACCURACY[name], out.read_text()
    assert result["wrong"] <= MAX_WRONG[name], out.read_text()


@pytest.mark.parametrize("name", ALL_SETS)
def test_no_uncovered_condition_gets_a_benefit_answer(
    name: str, parsed: Dict[str, List[Dict[str, Any]]]
) -> None:
    result = evaluate(load_cases(set_path(name)), parsed[name])
    # a sealed set's failure names the answers given, never the questions
    shown = "text" if not name.startswith("sealed_") else "category"
    benefit = [(m[shown], m["got"]) for m in result["misses"]
               if m["expected"] == [SAFETY] and m["got"] not in NO_BENEFIT_CLAIM]
    assert result["benefit_for_condition"] <= MAX_BENEFIT_FOR_CONDITION.get(name, 0), benefit


def test_a_sealed_report_names_no_question(parsed: Dict[str, List[Dict[str, Any]]],
                                           tmp_path: Path) -> None:
    cases = load_cases(set_path("sealed_en"))
    result = evaluate(cases, parsed["sealed_en"])
    page = write_report(result, "sealed_en", tmp_path).read_text()
    assert f"({result['correct']}/{result['total']})" in page
    assert not any(case.text in page for case in cases)
