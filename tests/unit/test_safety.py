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


@pytest.mark.parametrize("text", [
    # conditions the articles don't cover, asked in different ways
    "Does massage help restless leg syndrome?",
    "What kind of massage is best for sciatic pain?",
    "can I have a massage with peripheral neuropathy",
    "I have gout in my big toe, should I avoid foot massage?",
    "is foot massage ok if I have a slipped disc",
    "my mum had a stroke last year, can she get reflexology",
    "I'm having radiation therapy, is a gentle massage possible",
    "I have kidney disease and my legs are puffy",
    "who shouldn't get a foot massage",
    "I'm on steroids and aspirin, can I still come",
    "can massage cure multiple sclerosis",
    # Vietnamese, with and without diacritics
    "tôi bị đau thần kinh tọa, massage có được không",
    "bi than kinh toa massage dc ko",
    "tôi bị thoát vị đĩa đệm, có nên bấm huyệt chân không",
    "ai không nên massage chân",
    "nhung ai ko nen massage chan",
    "massage quá nhiều có hại không",
    "mới khỏi sốt xuất huyết có massage được chưa",
    # Korean: conditions as phrases and meanings
    "심장병이 있는데 발마사지 받아도 되나요?",
    "심장 질환 있어요",
    "심장이 안 좋은데 마사지 괜찮을까요?",
    "심부전 환자도 받을 수 있어요?",
    "발마사지 하면 진통이 오나요?",
    "출산 진통을 유발할까 봐 걱정돼요",
    "마사지 받으면 위험한가요?",
    "발마사지 위험하지 않아요?",
    "약을 먹고 있는데 마사지 받아도 돼요?",
    "하지불안증후군에 발마사지 효과 있나요?",
    "좌골신경통이 있는데 어떤 마사지가 좋아요?",
    "마사지 받으면 안 되는 사람이 있나요?",
    "혈액 희석제 복용 중이에요",
    # Chinese: phrases inside sentences written without spaces
    "我有静脉曲张，可以做足疗吗",
    "脚趾骨折还没好能按摩吗",
    "痛风发作的时候能做足疗吗",
    "糖尿病足可以泡脚按摩吗",
    "我脚上有伤口还能做足疗吗",
    "我妈妈是癌症患者，能做全身按摩吗",
    "腿上有血栓能不能按",
    "今天有点发烧，预约要取消吗",
    "我有心脏病，足疗安全吗",
    "去年装了心脏支架，可以按摩吗",
    "刚做完手术两周能按摩吗",
    "我在吃抗凝药，做足疗有影响吗",
    "严重骨质疏松能按摩吗",
    "脚踝扭伤了还肿着",
    "灰指甲和脚气能做足疗吗",
    "足疗有什么禁忌",
    "哪些人不适合做足疗",
    "什么情况下不能按摩",
    "做足疗有副作用吗",
    "心脏不太好，可以做反射疗法吗",
    "我脚底经常发麻",
    "做足疗会不会引起宫缩",
    "每天做足疗对身体有害吗",
    # English words typed inside a Chinese sentence
    "我有DVT，能做足疗吗",
    "做完surgery多久可以按摩",
])
def test_condition_questions_are_named_in_every_language(text: str) -> None:
    assert names_a_condition(text)


@pytest.mark.parametrize("text", [
    # benefit questions that merely name the heart, pain or "is it OK"
    "does foot massage push blood back to the heart",
    "is massage good for pain relief",
    "is it ok to get a foot massage after standing all day",
    "is foot massage good for the heart",
    "which point on the foot is for the liver",
    "what does eastern medicine say about the sole",
    "what strokes does the therapist use in a foot massage",
    "I worry too much, will a massage calm me down",
    "I wake up too often at night, can massage help me sleep",
    "I sit too much at work, does massage help circulation",
    # Vietnamese
    "massage chân có giúp đẩy máu về tim không",
    "massage chan co tot cho tim ko",
    "massage chân có giúp giảm đau không",
    "mát xa trị liệu là gì vậy?",
    "spa có hai loại massage không",
    # Korean: 심장, 진통, 괜찮을까요, 위험 inside ordinary questions
    "발마사지가 피를 심장으로 돌려보내요?",
    "혈액을 심장으로 돌려보내는 데 도움이 되나요",
    "발마사지가 심장 건강에 좋아요?",
    "통증 완화에 좋아요?",
    "발마사지가 진통 효과가 있나요?",
    "발마사지 받아도 괜찮을까요? 피곤해서요",
    "요즘 잠을 못 자는데 마사지 괜찮을까요",
    "발마사지가 부상 위험을 줄여 주나요?",
    "수면에 좋은 마사지 예약을 하고 싶어요",
    "유산소 운동 후에 발마사지 받으면 좋아요?",
    "발바닥이 간질간질해요",
    "방에 통풍이 잘 되나요?",
    # Chinese: 心脏, 疼/痛, 可以吗 and look-alike substrings inside ordinary questions
    "足疗能帮助血液流回心脏吗",
    "足疗对心脏好吗",
    "按摩能缓解疼痛吗",
    "脚疼可以做足疗吗",
    "站了一整天，做个足疗可以吗",
    "头痛的话做足疗能缓解吗",
    "我有高血压，足疗能帮忙降血压吗",
    "足底筋膜炎做足疗有用吗",
    "脚底哪个反射区对应肝",
    "中医怎么看脚底穴位",
    "为什么说脚是人体的第二心脏",
    "足疗能预防脚踝扭伤吗",
    "按摩能减少扭伤的风险吗",
    "腰突然很痛，按摩可以缓解吗",
    "足疗前要先用热水泡脚吗",
    "你们按摩用药油吗",
    "我已经期待很久了，想预约足疗",
    "足疗能帮身体排出有害物质吗",
    "足疗能降低压力激素吗",
    "我有焦虑症，按摩有帮助吗",
    "吃完饭马上按摩可以吗",
    "疼得睡不着，足疗助眠吗",
])
def test_benefit_questions_naming_the_heart_pain_or_is_it_ok_are_not(text: str) -> None:
    assert not names_a_condition(text)


def test_the_second_heart_is_not_a_heart_condition() -> None:
    assert not names_a_condition("발이 왜 제2의 심장이라고 불리나요?")
    assert names_a_condition("심장 질환이 있는데 발마사지 받아도 되나요?")
    assert names_a_condition("제2의 심장 얘기는 알겠고, 저는 심장이 약해요")
    assert not names_a_condition("为什么脚被称为第二心脏？")
    assert names_a_condition("我有心脏病，第二心脏的说法对我适用吗")


@pytest.mark.parametrize("text, pregnant", [
    ("is foot massage ok in the first trimester", True),
    ("Massage chân có thai được không", True),
    ("massage chan co thai duoc khong", True),
    ("massage chan co thai doc khong", False),
    ("massage chân có thải độc không", False),
    ("怀孕五个月可以做足疗吗", True),
    ("孕32周脚肿能按摩吗", True),
    ("孕妇能按脚吗", True),
    ("避孕期间可以按摩吗", False),
    ("备孕的时候做足疗好吗", False),
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


def test_a_benefit_reading_of_a_chinese_condition_question_becomes_the_safety_question() -> None:
    gate = SafetyGate(SafetyGate.get_default_config())
    (message,) = gate.process([parsed("我有糖尿病和静脉曲张，足疗能促进血液循环吗",
                                      "ask_circulation", 0.9)])
    assert message.get(INTENT)["name"] == "ask_health_condition"
    (message,) = gate.process([parsed("足疗能帮助血液流回心脏吗", "ask_second_heart", 0.9)])
    assert message.get(INTENT)["name"] == "ask_second_heart"


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
