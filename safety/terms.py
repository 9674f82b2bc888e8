"""Words that mark a message as a health-condition or safety question, in en, vi and ko.

Pure data and one function. A message that names a condition, a risk or a
contraindication is a safety question whatever else it asks: the articles
describe benefits for healthy visitors, so such a question gets the safety
answer (see a doctor, tell the therapist), never a benefit answer.
"""
import re
import unicodedata

# "swell" also catches the surf and "sounds swell"; that costs nothing unless
# such a message is read as a benefit question, or unsurely.
ENGLISH = [
    r"contra-?indicat\w*", r"side[- ]?effects?", r"(?:any|health) risks?", r"dangerous", r"harmful",
    r"unsafe", r"is it safe", r"is (?:it|massage|foot massage|reflexology) (?:ok|okay|safe)",
    r"too much", r"too often", r"overdo\w*", r"varicose", r"thrombos\w*", r"dvt",
    r"blood clots?", r"clots?", r"cancer", r"chemo\w*", r"tumou?rs?", r"fibromyalgia", r"gout",
    r"osteoporosis", r"epilep\w*", r"seizures?", r"heart (?:condition|disease|failure|problems?)",
    r"pacemaker", r"stroke", r"uncontrolled", r"severe (?:high )?blood pressure",
    r"blood thinners?", r"warfarin", r"anticoagulants?", r"medications?", r"medicines?",
    r"pills", r"surgery", r"operated", r"post-?op", r"fractur\w*", r"broken (?:bone|toe|ankle)",
    r"sprain\w*", r"torn", r"open wounds?", r"wounds?", r"rash\w*", r"eczema", r"psoriasis",
    r"dermatitis", r"infections?", r"infected", r"fungal", r"athlete'?s foot", r"fever",
    r"flu", r"covid", r"(?:have|got|with|caught) (?:a )?cold\b", r"diabet\w*", r"neuropath\w*",
    r"numb(?:ness|ed)?", r"swollen", r"swell(?:s|ed|ing)?", r"oedema", r"edema", r"cellulite",
    r"allerg\w*",
    r"arthritis", r"kidney", r"liver", r"hepatitis", r"induce (?:labou?r)?",
    r"labou?r", r"due date", r"contractions?", r"high-?risk pregnancy", r"miscarriage",
    r"dizzy", r"faint\w*", r"(?:medical|health) conditions?", r"inadvisable", r"warts?",
    r"moles?", r"overdue",
]
# Vietnamese, matched on the text without diacritics too (so typed either way).
VIETNAMESE = [
    "chong chi dinh", "tac dung phu", "nguy hiem", "co hai", "khong an toan", "co an toan",
    "tieu duong", "huyet khoi", "cuc mau dong", "gian tinh mach", "ung thu", "hoa tri",
    "dang sot", "bi sot", "cam cum", "bi cum", "phau thuat", "vua mo", "gay xuong", "bong gan",
    "vet thuong", "uong thuoc", "dang dung thuoc", "suy tim", "benh tim", "dong kinh",
    "bi te", "te chan", "bi sung", "sung chan", "phu chan", "di ung", "vay nen",
    "viem khop", "loang xuong", "de non", "chuyen da", "sinh non", "tang huyet ap nang",
]
KOREAN = [
    "금기", "부작용", "위험", "안전한가", "안전해요", "안전할까", "괜찮을까요", "당뇨", "혈전",
    "정맥류", "항암", "암 환자", "암환자", "암이", "열이", "감기", "독감", "수술", "골절",
    "염좌", "삐었", "상처", "약을", "복용", "심장", "뇌전증", "간질", "저려", "저림", "붓기",
    "붓는데", "부어요", "부어 있", "부어있", "부종", "부었", "알레르기", "습진", "건선",
    "관절염", "통풍",
    "골다공증", "진통", "출산", "조산", "유산",
]
# The foot guide calls the feet "the second heart": not a heart condition;
# "퍼붓는데" is rain pouring down, not swelling.
KOREAN_NOT_CONDITIONS = ("제2의 심장", "제 2의 심장", "두 번째 심장", "두번째 심장", "퍼붓")

_ENGLISH = re.compile(r"\b(?:" + "|".join(ENGLISH) + r")\b", re.IGNORECASE)
_VIETNAMESE = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in VIETNAMESE) + r")\b")


def plain(text: str) -> str:
    """Lower case without Vietnamese diacritics (đ is d)."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def names_a_condition(text: str) -> bool:
    """Whether ``text`` names a health condition, a risk or a contraindication."""
    if _ENGLISH.search(text) or _VIETNAMESE.search(plain(text)):
        return True
    for phrase in KOREAN_NOT_CONDITIONS:
        text = text.replace(phrase, "")
    return any(word in text for word in KOREAN)


_PREGNANCY = re.compile(
    r"\b(?:pregnan\w*|prenatal|mothers?-to-be|expecting a baby|trimesters?)\b", re.IGNORECASE)
# "co thai" is "có thai" (pregnant), but also "có thải độc" (does it detox) typed
# without diacritics.
PREGNANCY_VI = re.compile(r"\b(?:mang thai|co thai(?! doc)|ba bau|co bau|dang bau)\b")
PREGNANCY_KO = ("임신", "임산부", "산모")


def names_pregnancy(text: str) -> bool:
    """Whether ``text`` speaks of a pregnancy."""
    return bool(_PREGNANCY.search(text) or PREGNANCY_VI.search(plain(text))
                or any(word in text for word in PREGNANCY_KO))
