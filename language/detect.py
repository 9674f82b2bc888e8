"""Tell which of the bot's languages a short chat message is written in.

``detect(text)`` returns ``"en"``, ``"vi"``, ``"ko"``, ``"zh"`` or ``None`` when
the text tells nothing (emoji, numbers, "ok"). Rules first, each a few
microseconds:

1. Hangul -> Korean. Chinese characters (Simplified or Traditional, with or
   without English words and numbers beside them) -> Chinese, unless Japanese
   kana show the text is Japanese, which the bot does not speak.
2. A letter only Vietnamese writes (đ, ơ, ư, ă, the tone marks) -> Vietnamese;
   so does an accented vowel (à, á, â, ...) in a message with no Hangul.
3. Vietnamese typed without diacritics: common unaccented Vietnamese words
   ("khong", "duoc", "giup", "toi"...) against common English words; in a
   mixed message Vietnamese wins when it carries Vietnamese words.
4. Only what is left (say "sleep", "location") goes to the statistical model
   (lingua, restricted to English and Vietnamese, loaded on first use); a
   message the model can't tell apart gets ``None``.

bench/language_detection.md holds the measurements behind these choices.
"""
import re
import unicodedata
from functools import lru_cache
from typing import Any, FrozenSet, List

LANGUAGES = ("en", "vi", "ko", "zh")

_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
# CJK ideographs (the unified block, extension A, compatibility ideographs).
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Hiragana and katakana: Japanese, not Chinese.
_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff]")
# Letters that only Vietnamese uses among the bot's languages.
_VI_ONLY = re.compile(r"[đĐăĂơƠưƯ\u1ea0-\u1ef9]")
# Accented vowels Vietnamese shares with French or Spanish; English has none.
_VI_ACCENT = re.compile(r"[àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ]")
_WORD = re.compile(r"[a-z]+")

# Unaccented Vietnamese words that are not (common) English words.
VI_WORDS: FrozenSet[str] = frozenset("""
    khong ko hok hong duoc dc nhung cua voi giup ngu ngon nhieu lau muon lich vay
    gio huyet biet chao toi tui minh nguoi gi nhat tuan thoai dien lien xoa bop toan
    ich ngay tien nha nhe roi chua dang cung rat nua nao thi bao nen mot lan giam
    lung bau cang thang diem thoi tot hoan mau khi moi hoi oi em anh chan co la va
    dat cam xin tam vang bam ba bi cao lam sao de loi nay ve di qua gia dau o u
    vang da nhe nhi ak ah a nhau ban toi chi cho day kia den tu sang chieu toi
    toan than luc truoc thuong xuyen nhiu nhe phai mat ngu benh dieu tri gan xa
    uong an com bo mang thai bau nghi khoe yeu suc ap huyet tap the duc nhieu
    bac si thu gian met moi stress dc hem hen hong hok
""".split()) - frozenset(
    # English words that would otherwise count as Vietnamese.
    "a an the do so he me may hay mat than can ban on to in be at no bo dc "
    "tap com ma den day chi u".split())

ENGLISH_WORDS: FrozenSet[str] = frozenset("""
    the a an is are was be been do does did i you me my your we our it its this that
    to for with of in on at by from and or but if can could should would will how what
    when where which who why there here have has had not no yes please thanks thank
    hi hello hey bye goodbye good morning evening night after before about any some
    get help want need like just much many often long time day week every am pm
    massage foot feet body sleep pain stress book booking price prices location
    open hours phone number contact tired feel back neck legs hurt session spa
""".split())

# Words that tell no language on their own.
NEUTRAL_WORDS: FrozenSet[str] = frozenset(
    "ok okay okey oke okie k kk lol haha hihi hehe hmm hm wow vip xd".split())

# Below this relative distance between English and Vietnamese, lingua can't tell.
MIN_CONFIDENCE = 0.6


def _letters(text: str) -> str:
    return "".join(ch for ch in text if ch.isalpha())


def has_han(text: str) -> bool:
    """Whether ``text`` holds a Chinese character."""
    return _HAN.search(text) is not None


def detect_by_rules(text: str) -> str | None:
    """The language the rules can tell, "?" when they can't, None when there is none."""
    text = unicodedata.normalize("NFC", text)
    letters = _letters(text)
    if not letters:
        return None
    if _HANGUL.search(letters):
        return "ko"
    if _HAN.search(letters):
        return None if _KANA.search(letters) else "zh"
    if _VI_ONLY.search(letters) or _VI_ACCENT.search(letters):
        return "vi"
    words: List[str] = _WORD.findall(text.lower())
    meaningful = [w for w in words if w not in NEUTRAL_WORDS]
    if not meaningful:
        return None
    vi = sum(w in VI_WORDS for w in meaningful)
    en = sum(w in ENGLISH_WORDS for w in meaningful)
    if vi and vi >= en:
        return "vi"
    if en:
        return "en"
    return "?"


@lru_cache(maxsize=1)
def _lingua() -> Any:
    """The lingua detector for English and Vietnamese, built on first use."""
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(
        Language.ENGLISH, Language.VIETNAMESE).with_preloaded_language_models().build()


def warm_up() -> None:
    """Load the model now (at server start) rather than on the first unclear message."""
    _lingua().compute_language_confidence_values("warm up")


def detect_by_model(text: str) -> str | None:
    """Lingua's choice between English and Vietnamese, None when not confident."""
    values = _lingua().compute_language_confidence_values(text)
    if not values:
        return None
    best = values[0]
    if best.value < MIN_CONFIDENCE:
        return None
    return "vi" if best.language.name == "VIETNAMESE" else "en"


def detect(text: str) -> str | None:
    """``"en"``, ``"vi"``, ``"ko"``, ``"zh"``, or None when the message tells no language."""
    if not text or not text.strip():
        return None
    by_rules = detect_by_rules(text)
    if by_rules != "?":
        return by_rules
    return detect_by_model(text)


def language_or(text: str, fallback: str | None) -> str:
    """The message's language, else ``fallback`` (a known language), else English."""
    found = detect(text)
    if found:
        return found
    return fallback if fallback in LANGUAGES else "en"
