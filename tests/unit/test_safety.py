"""safety/: a message that names a condition never gets a benefit answer."""
import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from safety.component import SafetyGate
from safety.terms import names_a_condition, names_pregnancy


@pytest.mark.parametrize("text", [
    "I have a blood clot in my leg, can I get a foot massage?",
    "what are the side effects of foot massage",
    "is daily massage too much for the body",
    "Can reflexology start labour?",
    "my ankles are swollen after the flight",
    "massage chân có an toàn cho người tiểu đường không",
    "massage chan co an toan cho nguoi tieu duong khong",
    "발마사지 부작용 있어요?",
    "당뇨가 있는데 발마사지 받아도 되나요",
    "my feet swell after long flights",
    "numbness in my toes",
    "다리가 자주 붓는데 발마사지 효과 있어요?",
    "임신 7개월인데 다리가 너무 부어요",
])
def test_conditions_risks_and_contraindications_are_named(text: str) -> None:
    assert names_a_condition(text)


@pytest.mark.parametrize("text", [
    "does foot massage help with sleep?", "cold feet? can massage help", "how often should I come",
    "can massage lower my blood pressure", "what are your hours of business",
    "massage chân có giúp ngủ ngon không", "chăm sóc bàn chân thế nào", "발마사지 효과가 뭐예요",
    "my number is 0935 111 222",
    "비가 퍼붓는데 영업해요?", "오일을 부어서 하나요?",
])
def test_ordinary_questions_are_not(text: str) -> None:
    assert not names_a_condition(text)


def test_the_second_heart_is_not_a_heart_condition() -> None:
    assert not names_a_condition("발이 왜 제2의 심장이라고 불리나요?")
    assert names_a_condition("심장 질환이 있는데 발마사지 받아도 되나요?")
    assert names_a_condition("제2의 심장 얘기는 알겠고, 저는 심장이 약해요")


@pytest.mark.parametrize("text, pregnant", [
    ("is foot massage ok in the first trimester", True),
    ("Massage chân có thai được không", True),
    ("massage chan co thai duoc khong", True),
    ("massage chan co thai doc khong", False),
    ("massage chân có thải độc không", False),
])
def test_pregnancy_is_told_from_look_alike_words(text: str, pregnant: bool) -> None:
    assert names_pregnancy(text) is pregnant


def parsed(text: str, intent: str, confidence: float) -> Message:
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": intent, "confidence": confidence})
    message.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": confidence}])
    return message


def test_a_benefit_reading_of_a_condition_question_becomes_the_safety_question() -> None:
    gate = SafetyGate(SafetyGate.get_default_config())
    (message,) = gate.process([parsed("I have arthritis and diabetes, will it help my circulation?",
                                      "ask_circulation", 0.9)])
    assert message.get(INTENT)["name"] == "ask_health_condition"
    ranking = message.get(INTENT_RANKING_KEY)
    assert [r["name"] for r in ranking] == ["ask_health_condition", "ask_circulation"]
    assert ranking[0]["confidence"] - ranking[1]["confidence"] > 0.5  # no "did you mean"


def test_an_unsure_condition_question_becomes_the_safety_question() -> None:
    gate = SafetyGate(SafetyGate.get_default_config())
    (message,) = gate.process([parsed("gout in my big toe", "greet", 0.2)])
    assert message.get(INTENT)["name"] == "ask_health_condition"


@pytest.mark.parametrize("text, intent", [
    ("I'm pregnant, is foot massage safe?", "ask_pregnancy"),
    ("does it help with sleep?", "ask_sleep"),
    ("is there a risk of losing my deposit if I cancel", "ask_not_covered"),
    ("what are your hours of operation", "ask_opening_hours"),
])
def test_caveated_answers_and_ordinary_questions_are_left_alone(text: str, intent: str) -> None:
    gate = SafetyGate(SafetyGate.get_default_config())
    (message,) = gate.process([parsed(text, intent, 0.9)])
    assert message.get(INTENT)["name"] == intent


def test_an_ask_the_team_reading_of_a_condition_question_becomes_the_safety_question() -> None:
    gate = SafetyGate(SafetyGate.get_default_config())
    (message,) = gate.process([parsed("can I have a massage while on chemotherapy",
                                      "ask_services", 0.8)])
    assert message.get(INTENT)["name"] == "ask_health_condition"


def test_a_pregnancy_question_read_as_ask_the_team_gets_the_prenatal_answer() -> None:
    gate = SafetyGate(SafetyGate.get_default_config())
    (message,) = gate.process([parsed("my wife is pregnant, do you do massages for her?",
                                      "ask_services", 0.7)])
    assert message.get(INTENT)["name"] == "ask_pregnancy"


def test_the_unsure_level_is_the_fallback_threshold() -> None:
    """Below the fallback's threshold a condition question gets the safety answer, not buttons."""
    from pathlib import Path

    import yaml

    config = yaml.safe_load((Path(__file__).parents[2] / "config.yml").read_text())
    steps = {step["name"]: step for step in config["pipeline"]}
    gate = SafetyGate({**steps["safety.component.SafetyGate"]})
    assert gate.config["unsure_below"] == steps["FallbackClassifier"]["threshold"]
