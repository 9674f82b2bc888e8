"""Words that mark a message as a health-condition or safety question, in en, vi and ko.

Pure data and one function. A message that names a condition, a risk or a
contraindication is a safety question whatever else it asks: the articles
describe benefits for healthy visitors, so such a question gets the safety
answer (see a doctor, tell the therapist), never a benefit answer.

Every entry is a phrase or a condition's name, never a word that ordinary
benefit questions also use: "heart", "pain", "is it OK", "risk of injury",
"the liver point on the sole", "traditional medicine" or Korean 심장, 진통,
괜찮을까요, 위험 alone would send a plain benefit question to the doctor. The
classifier's trained safety class does the generalising; this list is its
high-precision backstop.
"""
import re
import unicodedata

# "swell" also catches the surf and "sounds swell"; that costs nothing unless
# such a message is read as a benefit question, or unsurely.
ENGLISH = [
    # risks and contraindications
    r"contra-?indicat\w*", r"side[- ]?effects?", r"(?:any|health) risks?", r"dangerous", r"harmful",
    r"unsafe", r"is it safe", r"is (?:massage|foot massage|reflexology) safe",
    r"(?:massag\w*|reflexology) (?:\w+ ){0,2}too (?:much|often)",
    r"too (?:much|many|often) (?:massages?|reflexology|sessions)", r"overdo\w*",
    r"(?:medical|health) conditions?", r"inadvisable", r"uncontrolled",
    r"(?:who|people who|anyone who) (?:should|shall|must|can)(?:n'?t| ?not)",
    # blood, heart and vessels
    r"varicose", r"thrombos\w*", r"dvt", r"blood clots?", r"clots?", r"blood thinners?",
    r"warfarin", r"anticoagulants?", r"heart (?:condition|disease|failure|problems?|attack)",
    r"pacemaker", r"stents?", r"arrhythmia", r"angina", r"(?:a|mini|minor|had|after) stroke",
    r"stroke (?:patients?|survivors?|recovery)", r"severe (?:high )?blood pressure",
    r"low blood pressure", r"hypotension", r"an(?:a)?emi[ac]", r"haemophilia|hemophilia",
    # cancer and serious illness
    r"cancer", r"chemo\w*", r"radiation (?:therapy|treatment)", r"radiotherapy", r"tumou?rs?",
    r"diabet\w*", r"(?:kidney|liver) (?:problems?|failure|stones?|damage|transplant)",
    r"(?:artery|arterial|vascular|autoimmune|kidney|liver|lung) disease",
    r"dialysis", r"cirrhosis", r"fatty liver", r"hepatitis", r"thyroid", r"lupus",
    r"multiple sclerosis", r"parkinson\w*", r"epilep\w*", r"seizures?", r"asthma",
    r"fibromyalgia", r"endometriosis", r"shingles", r"hernias?", r"pneumonia",
    r"period (?:pains?|cramps)", r"menstrual",
    # nerves, bones and joints
    r"neuropath\w*", r"sciatica", r"sciatic", r"restless legs?", r"numb(?:ness|ed)?",
    r"(?:herniated|slipped|bulging) discs?", r"pinched nerves?", r"carpal tunnel", r"scoliosis",
    r"osteoporosis", r"arthritis",
    r"gout", r"bunions?", r"(?:heel|bone) spurs?", r"fractur\w*",
    r"broken (?:bone|toe|ankle|foot|leg)", r"sprain\w*", r"torn",
    # injuries, operations and skin
    r"surgery", r"(?:an|my|recent|had|after|since) operations?", r"c-?section", r"implants?",
    r"(?:hip|knee|joint) replacement", r"operated", r"post-?op",
    r"open wounds?", r"wounds?", r"rash\w*", r"eczema",
    r"psoriasis", r"dermatitis", r"infections?", r"infected", r"fungal", r"fungus",
    r"athlete'?s foot", r"ingrown", r"warts?", r"moles?", r"sunburn\w*", r"cellulite",
    r"allerg\w*", r"swollen", r"swell(?:s|ed|ing)?", r"oedema", r"edema", r"lymph\w*edema",
    # being ill today
    r"fever", r"(?:running|have|got|with) a (?:high )?temperature", r"flu", r"covid",
    r"(?:have|got|with|caught) (?:a )?cold\b", r"dizzy", r"faint\w*",
    # medication ("traditional medicine" is the sole map's, not a prescription)
    r"medications?", r"(?<!traditional )(?<!chinese )(?<!eastern )(?<!oriental )medicines?",
    r"pills", r"aspirin", r"steroids?",
    # late pregnancy and labour
    r"induce (?:labou?r)?", r"labou?r", r"due date", r"contractions?", r"high-?risk pregnancy",
    r"miscarriage", r"overdue",
]
# Vietnamese, matched on the text without diacritics too (so typed either way).
# "co hai" alone is also "có hai" (there are two), so only "có hại không/gì/cho";
# "xa tri" alone is also "mát xa trị liệu", so only "đang/sau xạ trị".
VIETNAMESE = [
    "chong chi dinh", "tac dung phu", "ai khong nen", "ai ko nen", "ai k nen",
    "nguoi nao khong nen", "truong hop nao khong nen", "truong hop nao ko nen", "tac hai",
    "nguy hiem", "co hai khong", "co hai ko", "co hai k", "co hai gi", "co hai j", "co hai cho",
    "khong an toan", "co an toan",
    "tieu duong", "dai thao duong", "huyet khoi", "cuc mau dong", "chong dong", "gian tinh mach",
    "ung thu", "hoa tri", "dang xa tri", "sau xa tri", "dang sot", "bi sot", "sot xuat huyet",
    "cam cum", "bi cum", "phau thuat", "vua mo", "gay xuong", "bong gan", "vet thuong",
    "uong thuoc", "dang dung thuoc",
    "suy tim", "benh tim", "dat stent", "may tao nhip", "nhoi mau", "dot quy", "tai bien",
    "dong kinh", "bi te", "te chan", "bi sung", "sung chan", "phu chan", "di ung", "vay nen",
    "viem da", "benh cham", "bi cham", "nam mong", "mong chan moc", "mong moc nguoc",
    "mun coc", "viem khop", "benh gut", "bi gut", "loang xuong",
    "than kinh toa", "chan khong yen", "cong veo cot song", "veo cot song", "suy than",
    "soi than", "benh than", "viem gan", "xo gan", "benh gan", "tuyen giap", "hen suyen",
    "huyet ap thap", "thieu mau", "roi loan dong mau", "zona", "viem phoi", "thoat vi",
    "dau bung kinh", "lac noi mac tu cung", "sinh mo",
    "de non", "chuyen da", "sinh non", "tang huyet ap nang",
]
# Korean is written without spaces inside words and adds particles, so these are
# patterns: a phrase or a condition's name, and (?<![가-힣]) where a short word
# must start a word (약 "medicine", not 예약 "booking"; 암 "cancer", not 고구마).
_START = r"(?<![가-힣])"
KOREAN = [
    # risks and contraindications ("부상 위험을 줄여 주나요" is a benefit question)
    "금기", "부작용", r"위험(?:한|할|하지|해|성|이 있|도 있)", "지병",
    r"(?:받으면|하면|받아서는|해서는) 안 ?되는 (?:사람|분|경우|질환|병)",
    r"안전(?:한가|한지|해요|할까|하나요)",
    # blood, heart and vessels (not 심장 alone: "피를 심장으로 돌려보내요?")
    "혈전", "정맥류", r"혈액 ?희석제", "항응고제", "와파린", "아스피린",
    r"심장 ?(?:병|질환|수술|박동기|마비|스텐트)",
    r"심장(?:이|에)? ?(?:안 ?좋|약해|약한|나쁘|문제|이상)",
    "심부전", "부정맥", "협심증", "심근경색", "스텐트", "뇌졸중", "중풍", "저혈압", "빈혈",
    "혈우병",
    # cancer and serious illness
    "항암", r"암 ?환자", _START + r"암(?:이 |에 걸|을 앓| 진단| 치료| 투병| 수술)", "유방암",
    "폐암", "당뇨", r"신장 ?(?:병|질환|투석)", "투석", r"간 ?(?:질환|경화)", "간염", "갑상선",
    "루푸스", r"다발성 ?경화", "파킨슨", "뇌전증", "간질", "천식", "자궁내막증", "생리통",
    "생리 중", r"방사선 ?치료", "탈장", "폐렴", "대상포진",
    # nerves, bones and joints
    "하지불안", "좌골신경", "디스크", "신경병증", "저려", "저림", "관절염", "류머티", "류마티스",
    "통풍", "무지외반", "골다공증", "측만", "골절", "염좌", "삐었", "삐끗",
    # injuries, operations and skin
    "수술", "제왕절개", "인공관절", "보형물", "상처", "습진", "건선", "피부염", "발진", "무좀",
    "내성발톱", "사마귀", "티눈",
    "알레르기", "붓기", "붓는데", "부어요", "부어 있", "부어있", "부종", "부었",
    # being ill today
    r"열이? ?(?:나는데|나서|났|나면|날 때|있)", "고열", "미열", "발열", "몸살", "감기", "독감",
    "코로나",
    # medication
    _START + r"약(?:을|은|도)? ?(?:먹|복용|끊|대신|바꾸)", "복용", "약물", "처방약", "진통제",
    "수면제", "혈압약", "항생제", "인슐린", "스테로이드",
    # labour, not pain relief: "진통 완화에 좋아요?" is a benefit question
    r"진통(?:이|을)? ?(?:오|와|올|유발|시작)", "출산", "조산", "유산",
]
# Not conditions: the foot guide calls the feet "the second heart"; 퍼붓다 is rain
# pouring down; 간질간질 is a tickle; 통풍이 잘 되다 is a well-aired room; 유산소 is
# aerobic, 유산균 probiotics and 문화유산 heritage; 마음의 상처 is a hurt feeling.
KOREAN_NOT_CONDITIONS = (
    "제2의 심장", "제 2의 심장", "두 번째 심장", "두번째 심장", "퍼붓", "간질간질", "통풍이 잘",
    "통풍 잘", "통풍이 안", "유산소", "유산균", "문화유산", "마음의 상처",
)

_ENGLISH = re.compile(r"\b(?:" + "|".join(ENGLISH) + r")\b", re.IGNORECASE)
_VIETNAMESE = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in VIETNAMESE) + r")\b")
_KOREAN = re.compile("|".join(KOREAN))


def plain(text: str) -> str:
    """Lower case without Vietnamese diacritics (đ is d)."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def names_a_condition(text: str) -> bool:
    """Whether ``text`` names a health condition, a risk or a contraindication."""
    if _ENGLISH.search(text) or _VIETNAMESE.search(plain(text)):
        return True
    for phrase in KOREAN_NOT_CONDITIONS:
        text = text.replace(phrase, " ")
    return bool(_KOREAN.search(text))


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
