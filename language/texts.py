"""What the channels and actions say on their own, in each of the bot's languages.

Answers live in the domain (response variants on the ``language`` slot); these
are the few sentences and labels that surround them. Labels that become
buttons or list titles stay within WhatsApp's 20 characters in every language.
"""
from typing import Dict

from language.detect import LANGUAGES

TEXTS: Dict[str, Dict[str, str]] = {
    # over the rate limit
    "slow_down": {
        "en": "You're sending messages faster than I can answer them. Please wait a moment "
              "and try again, or contact the spa directly.",
        "vi": "Bạn đang gửi tin nhắn nhanh hơn tôi có thể trả lời. Vui lòng đợi một chút "
              "rồi thử lại, hoặc liên hệ trực tiếp với spa.",
        "ko": "제가 답할 수 있는 것보다 빠르게 메시지를 보내고 계세요. 잠시 후 다시 "
              "시도하시거나 스파에 직접 문의해 주세요.",
    },
    # the bot produced no reply: an apology before the contact card
    "cannot_answer": {
        "en": "Sorry, I couldn't answer that just now. The Panda Spa team can help you:",
        "vi": "Xin lỗi, tôi chưa thể trả lời câu này lúc này. Đội ngũ Panda Spa có thể "
              "giúp bạn:",
        "ko": "죄송해요, 지금은 답변드릴 수 없어요. Panda Spa 팀이 도와드릴 수 있어요:",
    },
    # unsure of the question: "did you mean" and its last button
    "did_you_mean": {
        "en": "I'm not quite sure what you're asking. Did you mean one of these?",
        "vi": "Tôi chưa chắc bạn đang hỏi gì. Có phải bạn muốn hỏi một trong những câu này?",
        "ko": "무엇을 물어보시는지 잘 모르겠어요. 혹시 이 중 하나인가요?",
    },
    "talk_to_spa": {"en": "Talk to the spa", "vi": "Liên hệ spa", "ko": "스파에 문의하기"},
    # WhatsApp through Twilio: buttons become a numbered list
    "reply_with_number": {
        "en": "Reply with a number to choose.",
        "vi": "Trả lời bằng một con số để chọn.",
        "ko": "번호로 답장하여 선택하세요.",
    },
    "choose_one": {"en": "Choose one:", "vi": "Chọn một:", "ko": "하나를 선택하세요:"},
    # "Source: <article>, “<section>”"
    "source": {"en": "Source", "vi": "Nguồn", "ko": "출처"},
    # Messenger button templates of contact links
    "contact_spa": {"en": "Contact Panda Spa", "vi": "Liên hệ Panda Spa",
                    "ko": "Panda Spa 문의"},
    "more_ways": {"en": "More ways to reach us", "vi": "Các cách liên hệ khác",
                  "ko": "다른 연락 방법"},
    # WhatsApp Cloud API list: its button (20 characters) and section title (24)
    "options": {"en": "Options", "vi": "Lựa chọn", "ko": "선택"},
    "questions": {"en": "Questions", "vi": "Câu hỏi", "ko": "질문"},
}


def say(key: str, language: str | None) -> str:
    """The text ``key`` in ``language`` (English when the language is unknown)."""
    return TEXTS[key][language if language in LANGUAGES else "en"]
