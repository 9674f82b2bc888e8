"""What the channels and actions say on their own, in each of the bot's languages.

Answers live in the domain (response variants on the ``language`` slot); these
are the few sentences and labels that surround them. Labels that become
buttons or list titles stay within WhatsApp's 20 characters in every language.
"""
from typing import Dict

from language.detect import LANGUAGES
from language.script import in_script

TEXTS: Dict[str, Dict[str, str]] = {
    # over the rate limit
    "slow_down": {
        "en": "You're sending messages faster than I can answer them. Please wait a moment "
              "and try again, or contact the spa directly.",
        "vi": "Bạn nhắn hơi nhanh, mình trả lời không kịp. Bạn đợi một chút rồi nhắn lại "
              "nhé, hoặc liên hệ trực tiếp với spa.",
        "ko": "메시지가 너무 빨리 와서 제가 답을 따라가지 못하고 있어요. 잠시 후 다시 "
              "보내 주시거나 스파에 직접 문의해 주세요.",
        "zh": "您发消息的速度有点快，我来不及回复。请稍等片刻再试，或者直接联系我们。",
    },
    # the bot produced no reply: an apology before the contact card
    "cannot_answer": {
        "en": "Sorry, I couldn't answer that just now. The Panda Spa team can help you:",
        "vi": "Xin lỗi, lúc này mình chưa trả lời được câu này. Nhân viên Panda Spa có thể "
              "giúp bạn:",
        "ko": "죄송해요, 지금은 답변드릴 수 없어요. Panda Spa 직원이 도와드릴 수 있어요:",
        "zh": "抱歉，我暂时无法回答这个问题。Panda Spa 的工作人员可以为您提供帮助：",
    },
    # unsure of the question: "did you mean" and its last button
    "did_you_mean": {
        "en": "I'm not quite sure what you're asking. Did you mean one of these?",
        "vi": "Mình chưa chắc bạn đang hỏi gì. Có phải bạn muốn hỏi một trong những câu này?",
        "ko": "무엇을 물어보시는지 잘 모르겠어요. 혹시 이 중 하나인가요?",
        "zh": "我不太确定您想问什么。您是想问下面其中一个问题吗？",
    },
    "talk_to_spa": {"en": "Talk to the spa", "vi": "Liên hệ spa", "ko": "스파에 문의하기",
                    "zh": "联系我们"},
    # WhatsApp through Twilio: buttons become a numbered list
    "reply_with_number": {
        "en": "Reply with a number to choose.",
        "vi": "Bạn trả lời bằng số thứ tự để chọn nhé.",
        "ko": "원하시는 번호를 보내 주세요.",
        "zh": "请回复对应的数字进行选择。",
    },
    "choose_one": {"en": "Choose one:", "vi": "Chọn một:", "ko": "하나를 골라 주세요:",
                   "zh": "请选择一项："},
    # "Source: <article>, “<section>”"
    "source": {"en": "Source", "vi": "Nguồn", "ko": "출처", "zh": "来源"},
    # Messenger button templates of contact links
    "contact_spa": {"en": "Contact Panda Spa", "vi": "Liên hệ Panda Spa",
                    "ko": "Panda Spa 문의", "zh": "联系 Panda Spa"},
    "more_ways": {"en": "More ways to reach us", "vi": "Các cách liên hệ khác",
                  "ko": "다른 연락 방법", "zh": "更多联系方式"},
    # WhatsApp Cloud API list: its button (20 characters) and section title (24)
    "options": {"en": "Options", "vi": "Lựa chọn", "ko": "선택", "zh": "选项"},
    "questions": {"en": "Questions", "vi": "Câu hỏi", "ko": "질문", "zh": "问题"},
}


def say(key: str, language: str | None, script: str | None = None) -> str:
    """The text ``key`` in ``language`` (English when the language is unknown).

    Chinese is written in Simplified characters, converted for a visitor whose
    ``script`` is Traditional (language/script.py).
    """
    text = TEXTS[key][language if language in LANGUAGES else "en"]
    return in_script(text, script) if language == "zh" else text
