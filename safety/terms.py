"""Words that mark a message as a health-condition or safety question, in en, vi, ko and zh.

Pure data and one function. A message that names a condition, a risk or a
contraindication is a safety question whatever else it asks: the articles
describe benefits for healthy visitors, so such a question gets the safety
answer (see a doctor, tell the therapist), never a benefit answer.

Every entry is a phrase or a condition's name, never a word that ordinary
benefit questions also use: "heart", "pain", "is it OK", "risk of injury",
"the liver point on the sole", "traditional medicine", Korean 심장, 진통,
괜찮을까요, 위험 or Chinese 心脏, 疼, 痛, 可以吗 alone would send a plain
benefit question to the doctor. The classifier's trained safety class does
the generalising; this list is its high-precision backstop.
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

# Chinese (Simplified: Traditional is converted before the NLU), written without
# spaces, so these are patterns matched anywhere in the sentence: a phrase or a
# condition's name, never 心脏 "heart", 疼/痛 "pain", 可以吗 "is it OK", 风险 "risk"
# (降低受伤风险 is a benefit), 肾 (the kidney reflex zone), 激素 (压力激素 is
# cortisol), 生病 (少生病 is immunity), 发炎 (足底筋膜发炎 is plantar fasciitis,
# which the foot guide covers), 头痛 or 高血压 alone (both are benefit questions).
CHINESE = [
    # risks and contraindications
    "禁忌", "副作用", "不良反应", "后遗症", r"有害(?!的?(?:物质|毒素|废物|垃圾|成分))", "危害",
    "伤身", "坏处", "弊端", "危险", "不安全", r"安全(?:吗|嘛|不|么|性)", "安不安全", "是否安全",
    "有没有风险", r"有(?:什么|啥)?风险", r"风险(?:大不大|大吗|高吗|高不高)", "过度按摩",
    "按摩过度", "过度足疗", "基础病", "慢性病", "病史",
    r"(?:哪些|哪种|哪类|什么样?的?|啥|谁)(?:人|病|疾病|情况下?|时候|体质|状况)?都?"
    r"(?:不适合|不能|不宜|不可以|不要|不该|不应该|要避免|应避免|最好别|最好不要|禁止|慎用|慎做)",
    r"不(?:适合|能|宜|可以)(?:做|按|按摩|做足疗|足疗|做按摩|推拿|泡脚)的(?:人|情况|病)",
    "适合所有人", "所有人都适合", "人人都适合", "每个人都适合",
    # blood, heart and vessels (not 心脏 alone: "足疗能帮血液流回心脏吗")
    "血栓", "静脉曲张", "静脉炎", "抗凝", "华法林", "阿司匹林", "凝血", "血小板",
    r"心脏(?:病|疾病|支架|搭桥|手术|起搏器|衰竭|不好|不太好|有问题|有毛病|不舒服|功能不全)",
    "冠心病", "心衰", "心力衰竭", "心律不齐", "心律失常", "房颤", "早搏", "心绞痛", "心梗",
    "心肌梗", "搭桥手术", r"做(?:过|了)搭桥", "起搏器", "支架手术",
    r"(?:放|装|安|植入|做)了?(?:个|两个|心脏)?支架", "中风", "脑梗", "脑卒中", "脑出血",
    "脑溢血", "偏瘫", "严重高血压", r"高血压(?:很|特别|非常)严重",
    r"血压(?:控制不住|控制不好|降不下来)", "低血压", r"血压(?:偏|太|很|比较|有点|特别)低",
    "贫血", "血友病", "出血", "淤青", "瘀青",
    # cancer and serious illness
    "癌", "瘤", "化疗", "放疗", "糖尿病", "高血糖", "血糖高", "胰岛素", "肾病", "肾衰",
    "肾功能不全", "肾结石", "尿毒症", "透析", "肝硬化", "肝炎", "乙肝", "脂肪肝", "肝病",
    "甲状腺", "甲亢", "甲减", "狼疮", "多发性硬化", "帕金森", "癫痫", "羊癫疯", "哮喘", "肺炎",
    "肺结核", "纤维肌痛", "子宫内膜异位", "带状疱疹", "疱疹", "疝气", "传染病", "痛经",
    "月经", r"(?<!已)经期", "生理期", r"例假(?!日)", "大姨妈",
    # nerves, bones and joints
    "神经痛", "坐骨神经", "神经病变", "神经损伤", r"(?:压迫|压到)神经", r"神经(?:受压|压迫)",
    "不宁腿", "不安腿", "麻木", "发麻", r"[脚腿手]麻", "椎间盘", r"腰突(?!然)", "颈椎病",
    "腕管综合征", "脊柱侧弯", "骨质疏松", "关节炎", "风湿", "痛风", "尿酸", "拇外翻",
    "大脚骨", "骨刺", "骨质增生", "骨折", "骨裂", r"(?:骨头|脚趾|脚踝|腿)(?:断了|骨折)",
    "韧带撕裂", "撕裂", "脱臼了", "刚脱臼", r"扭伤(?!的?(?:风险|几率|概率|可能))",
    r"崴(?:了|到|伤)", "刚崴", r"扭到(?:了|脚)", "脚扭了",
    # injuries, operations and skin (热水泡脚 is a foot soak, not a blister)
    "手术", "术后", "开刀", "开过刀", "缝针", "拆线", "剖腹产", "剖宫产", "关节置换",
    "人工关节", "假体", "植入物", "钢钉", "钢板", "伤口", "破皮", "磨破",
    r"(?:起|出|有|长|磨)(?:了|个|一个|几个|出)?水[泡疱]", "水疱", "溃疡", "化脓", "感染",
    "湿疹", "皮疹", "疹子", "荨麻疹", "银屑病", "牛皮癣", "皮炎", "皮肤病", "真菌", "脚气",
    "香港脚", "脚癣", "灰指甲", "甲癣", "甲沟炎", "嵌甲", "指甲长到肉里", "疣", "鸡眼", "痣",
    "晒伤", "橘皮组织", "脂肪团", "过敏", "囊肿", "水肿", "浮肿", "肿胀", "红肿", "消肿",
    r"肿(?:了|着|起来|得)", r"[脚腿踝膝手]肿",
    # being ill today
    "发烧", "低烧", "高烧", "退烧", "烧到", "感冒", "流感", "新冠", "生病了", "正在生病",
    "头晕", "眩晕", "晕眩", "晕倒", "昏倒", "昏厥",
    # medication (中医 and the sole map are not prescriptions; 药油 is massage oil)
    r"吃.{0,2}药", "服药", r"用药(?![油酒膏])", "停药", "药物", "处方药", "止痛药", "止疼药",
    "安眠药", "降压药", "降糖药", "抗生素", "抗抑郁药", r"(?:吃|用|打|服用)激素", "激素药",
    "类固醇",
    # late pregnancy, labour and after the birth
    "催产", "引产", "临产", "预产期", "宫缩", "早产", "流产", "小产", "高危妊娠", "高危孕妇",
    "分娩", "坐月子", "产后", "刚生完",
    # breastfeeding, vaccines, alcohol and other conditions the articles don't name
    "哺乳期", "喂奶", "回奶", "母乳", "疫苗", "宿醉", r"喝(?:了|过)(?:点|些)?酒", "醉酒", "喝醉",
    "痔疮", "胆结石", "三高", "低血糖", "乳腺增生", "腱鞘炎", "半月板", "强直性脊柱炎",
    "鼻炎", "咳嗽", "中暑", "拉肚子", "腹泻",
]
# Not conditions: the foot guide calls the feet the second heart; a sprain or
# injury the massage helps prevent (预防扭伤, 减少脚踝扭伤) is the flexibility answer.
CHINESE_NOT_CONDITIONS = re.compile(
    r"第二(?:个)?心脏|(?:预防|防止|减少|避免|降低|减轻|不容易|不易)[^，。,.!?！？\s]{0,4}扭伤")

_ENGLISH = re.compile(r"\b(?:" + "|".join(ENGLISH) + r")\b", re.IGNORECASE)
_VIETNAMESE = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in VIETNAMESE) + r")\b")
_KOREAN = re.compile("|".join(KOREAN))
_CHINESE = re.compile("|".join(CHINESE))
# Chinese characters are word characters to \b: "我有DVT" needs them as spaces
# before the English words it mixes in are matched.
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def plain(text: str) -> str:
    """Lower case without Vietnamese diacritics (đ is d)."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def names_a_condition(text: str) -> bool:
    """Whether ``text`` names a health condition, a risk or a contraindication."""
    if _ENGLISH.search(text) or _VIETNAMESE.search(plain(text)):
        return True
    if _HAN.search(text) and (_CHINESE.search(CHINESE_NOT_CONDITIONS.sub(" ", text))
                              or _ENGLISH.search(_HAN.sub(" ", text))):
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
# 避孕 is contraception and 备孕 trying for a baby: neither is a pregnancy.
PREGNANCY_ZH = re.compile(
    r"怀孕|孕妇|(?<!避)孕期|孕[早中晚]期|孕\s*\d+\s*(?:周|个月|月)|准妈妈|身孕|产妇|"
    r"怀(?:了|着)(?:宝宝|孩子|小孩|二胎|二宝|双胞胎)")


def names_pregnancy(text: str) -> bool:
    """Whether ``text`` speaks of a pregnancy."""
    return bool(_PREGNANCY.search(text) or PREGNANCY_VI.search(plain(text))
                or any(word in text for word in PREGNANCY_KO) or PREGNANCY_ZH.search(text))
