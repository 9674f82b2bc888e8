"""Render one bot message for each medium, within each medium's limits.

Rasa hands a channel one message at a time as a dict (``text``, ``buttons``,
``custom``...). ``Reply.from_rasa`` reads it once; the ``to_*`` functions turn
it into what the web widget, Messenger, Twilio WhatsApp and the WhatsApp Cloud
API accept. Pure functions: no I/O, so each limit is tested directly.
"""
import json
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Any, Dict, List

from actions.catalog import source_text
from language.script import HANT, to_traditional
from language.texts import say

# Messenger Platform limits
MESSENGER_TEXT_MAX = 2000
MESSENGER_BUTTONS_MAX = 3
MESSENGER_QUICK_REPLIES_MAX = 13
MESSENGER_BUTTON_TITLE_MAX = 20
MESSENGER_QUICK_REPLY_TITLE_MAX = 20
# WhatsApp limits
WHATSAPP_TEXT_MAX = 4096
WHATSAPP_INTERACTIVE_BODY_MAX = 1024
WHATSAPP_REPLY_BUTTONS_MAX = 3
WHATSAPP_BUTTON_TITLE_MAX = 20
WHATSAPP_LIST_ROWS_MAX = 10
WHATSAPP_ROW_TITLE_MAX = 24
WHATSAPP_ROW_DESCRIPTION_MAX = 72
TWILIO_BODY_MAX = 1600


@dataclass(frozen=True)
class Choice:
    """A button that sends a payload back to the bot."""

    title: str
    payload: str


@dataclass(frozen=True)
class Link:
    """A button that opens a link (``tel:``, ``mailto:``, ``https:``)."""

    title: str
    url: str


@dataclass
class Reply:
    """One bot message, independent of the medium."""

    text: str = ""
    choices: List[Choice] = field(default_factory=list)
    links: List[Link] = field(default_factory=list)
    source: str | None = None
    custom: Dict[str, Any] = field(default_factory=dict)
    language: str = "en"
    script: str | None = None  # a Chinese visitor's: hans or hant (language/script.py)

    @classmethod
    def from_rasa(cls, message: Dict[str, Any], language: str = "en") -> "Reply":
        """Read a message as Rasa's ``OutputChannel.send_response`` receives it.

        ``language`` is the conversation's; a translated answer names its own.
        """
        choices, links = [], []
        for button in message.get("buttons") or message.get("quick_replies") or []:
            title = str(button.get("title", "")).strip()
            if button.get("type") == "web_url" or button.get("url"):
                links.append(Link(title, str(button.get("url") or button.get("payload"))))
            elif title:
                choices.append(Choice(title, str(button.get("payload") or title)))
        custom = message.get("custom") or {}
        if isinstance(custom, dict) and custom.get("language"):
            language = str(custom["language"])
        if isinstance(custom, dict) and custom.get("kind") == "answer":
            choices += feedback_choices(str(message.get("utter_action") or ""))
        return cls(
            text=(message.get("text") or "").strip(),
            choices=choices,
            links=links,
            source=source_line(custom, language),
            custom=custom,
            language=language,
        )

    def in_script(self, script: str | None) -> "Reply":
        """The reply for a Chinese visitor who writes ``script``: Traditional is converted.

        Answers come converted already (language/nlg.py); this covers what
        a channel adds itself (the source label, list titles, apologies).
        """
        if self.language != "zh" or script is None:
            return self
        if script != HANT:
            return replace(self, script=script)
        return replace(
            self, script=script, text=to_traditional(self.text),
            choices=[Choice(to_traditional(c.title), c.payload) for c in self.choices],
            links=[Link(to_traditional(link.title), link.url) for link in self.links],
            source=to_traditional(self.source) if self.source else self.source)

    @property
    def is_empty(self) -> bool:
        """True when there is nothing a person would see."""
        return not (self.text or self.choices or self.links or self.source)


def feedback_choices(answer: str) -> List[Choice]:
    """👍 and 👎 for the answer ``answer`` (a response name such as utter_ask_sleep)."""
    return [Choice(symbol, "/feedback" + json.dumps({"rating": rating, "answer": answer}))
            for symbol, rating in (("👍", "up"), ("👎", "down"))]


def source_line(custom: Dict[str, Any], language: str = "en") -> str | None:
    """'Source: <article>, "<section>"' for a sourced answer, else None.

    A translated answer shows the translated titles and the note ("bản dịch từ tiếng Anh").
    """
    source = custom.get("source") if isinstance(custom, dict) else None
    if not source or custom.get("kind") != "answer":
        return None
    separator = "：" if language == "zh" else ": "
    return f"{say('source', language)}{separator}{source_text(source, translated=True)}"


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def split_text(text: str, limit: int) -> List[str]:
    """Split ``text`` into parts of at most ``limit`` characters, at spaces when possible."""
    parts: List[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


def link_line(link: Link) -> str:
    """A link written out for text-only media: numbers and addresses stay tappable."""
    if link.url.startswith("tel:"):
        return f"{link.title}: {link.url[4:]}"
    if link.url.startswith("mailto:"):
        return f"{link.title}: {link.url[7:]}"
    return f"{link.title}: {link.url}"


def _body(reply: Reply) -> str:
    return "\n\n".join(x for x in [reply.text, reply.source] if x)


# --- web widget (rasa-webchat over socket.io) -------------------------------


def to_web(reply: Reply) -> List[Dict[str, Any]]:
    """Socket.io ``bot_uttered`` payloads for rasa-webchat.

    One bubble: the text, the source in italics under it, and the buttons and
    links as quick replies (the widget shows those on the latest bubble only).
    """
    text = reply.text
    if reply.source:
        text = f"{text}\n\n*{reply.source}*" if text else f"*{reply.source}*"
    message: Dict[str, Any] = {"text": text}
    quick = [{"content_type": "text", "title": c.title, "payload": c.payload}
             for c in reply.choices]
    quick += [{"type": "web_url", "title": lk.title, "url": lk.url} for lk in reply.links]
    if quick:
        message["quick_replies"] = quick
    if reply.source:
        message["metadata"] = {"source": reply.custom.get("source")}
    return [message]


# --- Messenger ---------------------------------------------------------------


def to_messenger(reply: Reply) -> List[Dict[str, Any]]:
    """Send API ``message`` objects: split text, link templates of 3, quick replies of 13."""
    out: List[Dict[str, Any]] = []
    parts = split_text(_body(reply), MESSENGER_TEXT_MAX) if (reply.text or reply.source) else []
    for part in parts:
        out.append({"text": part})
    # Messenger buttons open https links or call numbers; e-mail stays in the text.
    link_buttons = [_messenger_link_button(lk) for lk in reply.links
                    if lk.url.startswith(("tel:", "https://"))]
    for start in range(0, len(link_buttons), MESSENGER_BUTTONS_MAX):
        out.append({
            "attachment": {
                "type": "template",
                "payload": {
                    "template_type": "button",
                    "text": say("contact_spa" if start == 0 else "more_ways",
                                reply.language, reply.script),
                    "buttons": link_buttons[start:start + MESSENGER_BUTTONS_MAX],
                },
            }
        })
    if reply.choices:
        quick = [{"content_type": "text",
                  "title": clip(c.title, MESSENGER_QUICK_REPLY_TITLE_MAX),
                  "payload": c.payload}
                 for c in reply.choices[:MESSENGER_QUICK_REPLIES_MAX]]
        if not out:
            out.append({"text": say("choose_one", reply.language, reply.script)})
        out[-1] = {**out[-1], "quick_replies": quick}
    return out


def _messenger_link_button(link: Link) -> Dict[str, str]:
    title = clip(link.title, MESSENGER_BUTTON_TITLE_MAX)
    if link.url.startswith("tel:"):
        return {"type": "phone_number", "title": title, "payload": link.url[4:]}
    return {"type": "web_url", "title": title, "url": link.url}


# --- WhatsApp via Twilio (plain text) ---------------------------------------


def to_twilio_whatsapp(reply: Reply) -> List[str]:
    """Message bodies: text, the choices as a numbered list, links written out, source."""
    lines = [reply.text] if reply.text else []
    if reply.choices:
        lines.append("\n".join(f"{i}. {c.title}" for i, c in enumerate(reply.choices, 1)))
        lines.append(say("reply_with_number", reply.language, reply.script))
    if reply.links:
        lines.append("\n".join(link_line(lk) for lk in reply.links))
    if reply.source:
        lines.append(reply.source)
    return split_text("\n\n".join(lines), TWILIO_BODY_MAX)


def is_number_reply(text: str) -> bool:
    """Whether ``text`` is a menu number ("2", " 2. ")."""
    return text.strip().rstrip(".)").isdigit()


def choice_for_number(text: str, choices: List[Choice]) -> Choice | None:
    """The choice a numeric reply ("2", " 2. ") picks from the last numbered list."""
    if not is_number_reply(text):
        return None
    index = int(text.strip().rstrip(".)"))
    return choices[index - 1] if 1 <= index <= len(choices) else None


# --- WhatsApp Cloud API ------------------------------------------------------


def to_whatsapp_cloud(reply: Reply, to: str) -> List[Dict[str, Any]]:
    """Cloud API message objects: reply buttons (<= 3) or a list, links as text."""
    base = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to}
    text_lines = [reply.text] if reply.text else []
    if reply.links:
        text_lines.append("\n".join(link_line(lk) for lk in reply.links))
    if reply.source:
        text_lines.append(reply.source)
    body = "\n\n".join(text_lines)
    if not reply.choices:
        return [{**base, "type": "text", "text": {"body": part, "preview_url": False}}
                for part in split_text(body, WHATSAPP_TEXT_MAX)]
    parts = split_text(body or say("choose_one", reply.language, reply.script),
                       WHATSAPP_INTERACTIVE_BODY_MAX)
    out = [{**base, "type": "text", "text": {"body": p, "preview_url": False}}
           for p in parts[:-1]]
    if len(reply.choices) <= WHATSAPP_REPLY_BUTTONS_MAX:
        action: Dict[str, Any] = {"buttons": [
            {"type": "reply", "reply": {"id": c.payload,
                                        "title": clip(c.title, WHATSAPP_BUTTON_TITLE_MAX)}}
            for c in reply.choices]}
        kind = "button"
    else:
        action = {"button": clip(say("options", reply.language, reply.script),
                                 WHATSAPP_BUTTON_TITLE_MAX),
                  "sections": [{"title": say("questions", reply.language, reply.script), "rows": [
            {"id": c.payload, "title": clip(c.title, WHATSAPP_ROW_TITLE_MAX),
             "description": clip(c.title, WHATSAPP_ROW_DESCRIPTION_MAX)}
            for c in reply.choices[:WHATSAPP_LIST_ROWS_MAX]]}]}
        kind = "list"
    out.append({**base, "type": "interactive",
                "interactive": {"type": kind, "body": {"text": parts[-1]}, "action": action}})
    return out


# --- media, stickers, emoji and reactions ------------------------------------

# What a channel says itself (not the bot's answers): one place, every language.
CHANNEL_TEXTS: Dict[str, Dict[str, str]] = {
    "media": {
        "en": "I can only read text — please type your question, or call/WhatsApp the team:",
        "vi": "Mình chỉ đọc được tin nhắn chữ — bạn vui lòng gõ câu hỏi, hoặc gọi điện/"
              "WhatsApp cho nhân viên spa:",
        "ko": "저는 글자만 읽을 수 있어요 — 질문을 입력해 주시거나, 스파 직원에게 전화/WhatsApp "
              "해 주세요:",
        "zh": "我只能读取文字消息——请输入您的问题，或者通过电话/WhatsApp 联系我们的工作人员：",
    },
    "sticker": {
        "en": "😊 Thank you! Ask me anything about massage, or type “book” to book a session.",
        "vi": "😊 Cảm ơn bạn! Bạn cứ hỏi mình về massage, hoặc gõ “đặt lịch” để đặt lịch nhé.",
        "ko": "😊 감사합니다! 마사지에 대해 무엇이든 물어보시거나, “예약”이라고 입력해 예약하세요.",
        "zh": "😊 谢谢您！关于按摩的问题尽管问我，或者输入“预约”开始预约。",
    },
}
# Reactions read as feedback on the answer they are put on; others are ignored.
HELPFUL_REACTIONS = {"👍", "❤", "😍", "🙏"}
UNHELPFUL_REACTIONS = {"👎", "😡"}
MEDIA_KINDS = {"image", "audio", "voice", "video", "document", "file", "sticker", "media",
               "location", "contacts", "unsupported", "template", "fallback"}


def channel_text(key: str, language: str | None = None) -> str:
    """The channel's own text ``key`` in ``language`` (en, vi, ko, zh); English otherwise."""
    texts = CHANNEL_TEXTS[key]
    return texts.get(language or "en") or texts["en"]


def reaction_rating(emoji: str | None) -> str | None:
    """'up' or 'down' for a reaction emoji (skin tones and variation selectors ignored)."""
    if not emoji:
        return None
    bare = "".join(ch for ch in emoji if ch != "\ufe0f" and not 0x1F3FB <= ord(ch) <= 0x1F3FF)
    if bare in HELPFUL_REACTIONS:
        return "up"
    if bare in UNHELPFUL_REACTIONS:
        return "down"
    return None


def is_emoji_only(text: str) -> bool:
    """True for a message of emoji and symbols only ("👍", "😊🙏"), no letters or digits."""
    stripped = "".join(text.split())
    if not stripped:
        return False
    return all(unicodedata.category(ch) in ("So", "Sk", "Mn", "Cf", "Me") or ch in "\ufe0f\u200d"
               or 0x1F3FB <= ord(ch) <= 0x1F3FF for ch in stripped)


def contact_links(card: List[Dict[str, Any]], language: str | None = None) -> List[Link]:
    """The link buttons of the contact card variant for ``language`` (domain responses)."""
    chosen: Dict[str, Any] | None = None
    for variant in card:
        conditions = variant.get("condition") or []
        wanted = {c.get("name"): c.get("value") for c in conditions if isinstance(c, dict)}
        if wanted.get("language") == language:
            chosen = variant
            break
        if not conditions and chosen is None:
            chosen = variant
    return Reply.from_rasa(chosen or {}).links


def media_reply(kind: str, language: str | None, card: List[Dict[str, Any]]) -> Reply:
    """The one polite reply to a photo, voice note, file...; a sticker gets a friendly one."""
    if kind in ("sticker", "emoji"):
        return Reply(text=channel_text("sticker", language))
    return Reply(text=channel_text("media", language), links=contact_links(card, language))
