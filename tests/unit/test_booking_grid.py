"""Booking requests as people type them: a grid of phrasings per language, read end to end.

Each case is a whole message (a day and time, a people count and a massage, in
several orders and templates, with and without Vietnamese diacritics, Chinese
in Simplified and Traditional characters, with common misspellings) read by
``dialogue.read_message`` as the form's first
message, against a fixed "now": a Sunday in November and the Wednesday before
New Year. The expected slots are written out by hand for each "now", never
computed by the code under test. A second grid asks each question and gives the
other field's answer: a time is never read as a people count, nor a count as a time.
"""
import datetime as dt
import itertools
from typing import Dict, List, Tuple

import pytest

from booking import dialogue, people, when
from booking.when import fold
from language.script import to_traditional

# Sunday 22 November 2026, 10:00, and Wednesday 30 December 2026, 10:00 (New Year's week)
NOWS = {"nov": dt.datetime(2026, 11, 22, 10, 0, tzinfo=when.TZ),
        "ny": dt.datetime(2026, 12, 30, 10, 0, tzinfo=when.TZ)}

Times = List[Tuple[str, Dict[str, str]]]
Counts = List[Tuple[str, int]]

EN_TIMES: Times = [
    ("tomorrow at 7pm", {"nov": "2026-11-23 19:00", "ny": "2026-12-31 19:00"}),
    ("tmrw 7pm", {"nov": "2026-11-23 19:00", "ny": "2026-12-31 19:00"}),
    ("tomorow at 7 in the evening", {"nov": "2026-11-23 19:00", "ny": "2026-12-31 19:00"}),
    ("on saturday at 3pm", {"nov": "2026-11-28 15:00", "ny": "2027-01-02 15:00"}),
    ("saterday 3pm", {"nov": "2026-11-28 15:00", "ny": "2027-01-02 15:00"}),
    ("friday afternoon", {"nov": "2026-11-27 afternoon", "ny": "2027-01-01 afternoon"}),
    ("tonight", {"nov": "2026-11-22 evening", "ny": "2026-12-30 evening"}),
    ("tonite at 8", {"nov": "2026-11-22 20:00", "ny": "2026-12-30 20:00"}),
    ("on 28/11 at 6:30pm", {"nov": "2026-11-28 18:30"}),
    ("Jan 2 at 11am", {"nov": "2027-01-02 11:00", "ny": "2027-01-02 11:00"}),
    ("2nd of January at 5pm", {"nov": "2027-01-02 17:00", "ny": "2027-01-02 17:00"}),
    ("in 3 days at 5pm", {"nov": "2026-11-25 17:00", "ny": "2027-01-02 17:00"}),
    ("the day after tomorrow at 10am", {"nov": "2026-11-24 10:00", "ny": "2027-01-01 10:00"}),
    ("monday morning", {"nov": "2026-11-23 morning", "ny": "2027-01-04 morning"}),
    ("next friday at 6pm", {"nov": "2026-11-27 18:00"}),
    ("31/12 at 8pm", {"nov": "2026-12-31 20:00", "ny": "2026-12-31 20:00"}),
    ("tomorrow at noon", {"nov": "2026-11-23 12:00", "ny": "2026-12-31 12:00"}),
    ("thurs 4:30pm", {"nov": "2026-11-26 16:30", "ny": "2026-12-31 16:30"}),
]
EN_PEOPLE: Counts = [
    ("for 2", 2), ("for two people", 2), ("for 3 of us", 3), ("for a party of 4", 4),
    ("for me and my wife", 2), ("just me", 1), ("2 pax", 2), ("3 ppl", 3),
    ("for 2 adults and a child", 3), ("for a couple", 2), ("for 5 guests", 5),
    ("we are 4", 4), ("for one person", 1), ("me and 2 friends", 3), ("alone", 1),
]
EN_TEMPLATES = [
    "book a foot massage {people} {time}",
    "{time} {people}, foot massage please",
    "can we come in {time}? {people}, foot massage",
]

VI_TIMES: Times = [
    ("tối mai 7 giờ", {"nov": "2026-11-23 19:00", "ny": "2026-12-31 19:00"}),
    ("7h tối mai", {"nov": "2026-11-23 19:00", "ny": "2026-12-31 19:00"}),
    ("7h tối thứ 7", {"nov": "2026-11-28 19:00", "ny": "2027-01-02 19:00"}),
    ("T7 3h chiều", {"nov": "2026-11-28 15:00", "ny": "2027-01-02 15:00"}),
    ("thứ bảy 3 giờ chiều", {"nov": "2026-11-28 15:00", "ny": "2027-01-02 15:00"}),
    ("CN 10h sáng", {"nov": "2026-11-29 10:00", "ny": "2027-01-03 10:00"}),
    ("ngày 28 tháng 11 lúc 6h chiều", {"nov": "2026-11-28 18:00"}),
    ("ngày 2 tháng 1 lúc 17h", {"nov": "2027-01-02 17:00", "ny": "2027-01-02 17:00"}),
    ("tối nay", {"nov": "2026-11-22 evening", "ny": "2026-12-30 evening"}),
    ("chiều nay 4h", {"nov": "2026-11-22 16:00", "ny": "2026-12-30 16:00"}),
    ("sáng mai 9h", {"nov": "2026-11-23 09:00", "ny": "2026-12-31 09:00"}),
    ("31/12 lúc 20h", {"nov": "2026-12-31 20:00", "ny": "2026-12-31 20:00"}),
    ("thứ 6 lúc 5h chiều", {"nov": "2026-11-27 17:00", "ny": "2027-01-01 17:00"}),
    ("19h30 ngày mai", {"nov": "2026-11-23 19:30", "ny": "2026-12-31 19:30"}),
]
VI_PEOPLE: Counts = [
    ("cho 2 người", 2), ("hai người", 2), ("cho 3 người", 3), ("một mình", 1),
    ("2 vợ chồng", 2), ("nhóm 4 người", 4), ("2 ng", 2), ("cho 5 khách", 5),
    ("ba người lớn và một trẻ em", 4),
]
VI_TEMPLATES = [
    "đặt lịch massage chân {time} {people}",
    "cho mình đặt massage chân {people} {time} nhé",
]

KO_TIMES: Times = [
    ("내일 저녁 7시", {"nov": "2026-11-23 19:00", "ny": "2026-12-31 19:00"}),
    ("12월 28일 오후 3시", {"nov": "2026-12-28 15:00"}),
    ("11월 28일 오후 6시", {"nov": "2026-11-28 18:00"}),
    ("1월 2일 오전 11시", {"nov": "2027-01-02 11:00", "ny": "2027-01-02 11:00"}),
    ("토요일 오후 3시", {"nov": "2026-11-28 15:00", "ny": "2027-01-02 15:00"}),
    ("오늘 저녁", {"nov": "2026-11-22 evening", "ny": "2026-12-30 evening"}),
    ("내일 오후 2시 반", {"nov": "2026-11-23 14:30", "ny": "2026-12-31 14:30"}),
    ("모레 저녁 8시", {"nov": "2026-11-24 20:00", "ny": "2027-01-01 20:00"}),
    ("금요일 저녁 7시", {"nov": "2026-11-27 19:00", "ny": "2027-01-01 19:00"}),
    ("12월 31일 밤 9시", {"nov": "2026-12-31 21:00", "ny": "2026-12-31 21:00"}),
    ("다음 주 토요일 오후 4시", {"nov": "2026-11-28 16:00", "ny": "2027-01-09 16:00"}),
    ("담주 토요일 오후 4시", {"nov": "2026-11-28 16:00", "ny": "2027-01-09 16:00"}),
    ("낼 저녁 7시 30분", {"nov": "2026-11-23 19:30", "ny": "2026-12-31 19:30"}),
]
KO_PEOPLE: Counts = [
    ("2명", 2), ("두 명", 2), ("둘이", 2), ("혼자", 1), ("세 명", 3), ("4명", 4), ("부부", 2),
    ("어른 2명 아이 1명", 3), ("3인", 3), ("셋이서", 3),
]
KO_TEMPLATES = [
    "{time}에 발 마사지 {people} 예약할게요",
    "발마사지 {people} {time}에 받고 싶어요",
    "{people} {time} 발 마사지 예약 가능할까요?",
]

# Chinese, written in Simplified characters; the grid adds each message in Traditional ones
ZH_TIMES: Times = [
    ("明天晚上7点", {"nov": "2026-11-23 19:00", "ny": "2026-12-31 19:00"}),
    ("明天晚上七点", {"nov": "2026-11-23 19:00", "ny": "2026-12-31 19:00"}),
    ("今晚8点", {"nov": "2026-11-22 20:00", "ny": "2026-12-30 20:00"}),
    ("周六下午三点", {"nov": "2026-11-28 15:00", "ny": "2027-01-02 15:00"}),
    ("星期六下午3点", {"nov": "2026-11-28 15:00", "ny": "2027-01-02 15:00"}),
    ("礼拜六下午三点钟", {"nov": "2026-11-28 15:00", "ny": "2027-01-02 15:00"}),
    ("后天上午10点", {"nov": "2026-11-24 10:00", "ny": "2027-01-01 10:00"}),
    ("下周二晚上8点", {"nov": "2026-11-24 20:00", "ny": "2027-01-05 20:00"}),
    ("12月28日下午3点", {"nov": "2026-12-28 15:00"}),
    ("12月28号晚上7点半", {"nov": "2026-12-28 19:30"}),
    ("28号下午3点", {"nov": "2026-11-28 15:00", "ny": "2027-01-28 15:00"}),
    ("晚上七点半", {"nov": "2026-11-22 19:30", "ny": "2026-12-30 19:30"}),
    ("明天3点半", {"nov": "2026-11-23 15:30", "ny": "2026-12-31 15:30"}),
    ("明天中午12点", {"nov": "2026-11-23 12:00", "ny": "2026-12-31 12:00"}),
    ("后天早上9点", {"nov": "2026-11-24 09:00", "ny": "2027-01-01 09:00"}),
    ("大后天下午两点", {"nov": "2026-11-25 14:00", "ny": "2027-01-02 14:00"}),
    ("这周日晚上6点", {"nov": "2026-11-22 18:00", "ny": "2027-01-03 18:00"}),
    ("1月2日上午11点", {"nov": "2027-01-02 11:00", "ny": "2027-01-02 11:00"}),
    ("十二月三十一日晚上九点", {"nov": "2026-12-31 21:00", "ny": "2026-12-31 21:00"}),
    ("明天下午2点30分", {"nov": "2026-11-23 14:30", "ny": "2026-12-31 14:30"}),
    ("明晚7点一刻", {"nov": "2026-11-23 19:15", "ny": "2026-12-31 19:15"}),
    ("二十八号晚上八点", {"nov": "2026-11-28 20:00", "ny": "2027-01-28 20:00"}),
]
ZH_PEOPLE: Counts = [
    ("两个人", 2), ("2个人", 2), ("2位", 2), ("两位", 2), ("三个", 3), ("我们三个", 3),
    ("我和我老婆", 2), ("我跟我朋友", 2), ("就我一个", 1), ("一个人", 1), ("4大1小", 5),
    ("一家四口", 4), ("两大一小", 3), ("我和两个朋友", 3),
]
ZH_TEMPLATES = [
    "预约{time}{people}足疗",
    "{people}，{time}，想做足疗",
    "你好，我想订{time}的足底按摩，{people}",
]


def grid(times: Times, counts: Counts, templates: List[str],
         unaccented: bool = False, traditional: bool = False) -> List[Tuple[str, str, str, int]]:
    """(now, message, expected time, expected count) for every combination."""
    cases = []
    for (time, expected), (said, count), template in itertools.product(times, counts, templates):
        text = template.format(time=time, people=said)
        for now, value in expected.items():
            cases.append((now, text, value, count))
            if unaccented:
                cases.append((now, fold(text), value, count))
            if traditional and to_traditional(text) != text:
                cases.append((now, to_traditional(text), value, count))
    return cases


EN = grid(EN_TIMES, EN_PEOPLE, EN_TEMPLATES)
VI = grid(VI_TIMES, VI_PEOPLE, VI_TEMPLATES, unaccented=True)
KO = grid(KO_TIMES, KO_PEOPLE, KO_TEMPLATES)
ZH = grid(ZH_TIMES, ZH_PEOPLE, ZH_TEMPLATES, traditional=True)


@pytest.mark.parametrize("cases", [EN, VI, KO, ZH], ids=["en", "vi", "ko", "zh"])
def test_the_grid_has_hundreds_of_phrasings_per_language(cases: list) -> None:
    assert len({text for _, text, _, _ in cases}) >= 300


def test_the_chinese_grid_is_half_traditional() -> None:
    texts = {text for _, text, _, _ in ZH}
    assert "預約週六下午三點兩個人足療" in texts and "预约周六下午三点两个人足疗" in texts
    assert len(texts) >= 2 * len(ZH_TIMES) * len(ZH_PEOPLE) * len(ZH_TEMPLATES) - 50


def check(now: str, text: str, value: str, count: int) -> None:
    reading = dialogue.read_message(text, "book", 0.9, None, {}, NOWS[now])
    assert reading.slots.get(dialogue.TIME) == value, reading
    assert reading.slots.get(dialogue.PEOPLE) == count, reading
    assert reading.slots.get(dialogue.MASSAGE) == "foot", reading
    assert not reading.responses, reading


@pytest.mark.parametrize("now, text, value, count", EN)
def test_english_requests_read_in_one_go(now: str, text: str, value: str, count: int) -> None:
    check(now, text, value, count)


@pytest.mark.parametrize("now, text, value, count", VI)
def test_vietnamese_requests_read_in_one_go(now: str, text: str, value: str, count: int) -> None:
    check(now, text, value, count)


@pytest.mark.parametrize("now, text, value, count", KO)
def test_korean_requests_read_in_one_go(now: str, text: str, value: str, count: int) -> None:
    check(now, text, value, count)


@pytest.mark.parametrize("now, text, value, count", ZH)
def test_chinese_requests_read_in_one_go(now: str, text: str, value: str, count: int) -> None:
    check(now, text, value, count)


ALL_TIMES = (EN_TIMES + VI_TIMES + KO_TIMES + ZH_TIMES + [(fold(t), e) for t, e in VI_TIMES]
             + [(to_traditional(t), e) for t, e in ZH_TIMES])
ALL_PEOPLE = (EN_PEOPLE + VI_PEOPLE + KO_PEOPLE + ZH_PEOPLE + [(fold(t), c) for t, c in VI_PEOPLE]
              + [(to_traditional(t), c) for t, c in ZH_PEOPLE])


@pytest.mark.parametrize("time, expected", ALL_TIMES)
def test_a_time_is_never_a_people_count(time: str, expected: Dict[str, str]) -> None:
    assert people.parse(time, requested=False) is None
    assert people.parse(time, requested=True) == people.Invalid("unclear")
    reading = dialogue.read_message(time, "inform_booking", 0.9, dialogue.PEOPLE,
                                    {dialogue.TIME: None}, NOWS["nov"])
    assert reading.slots.get(dialogue.PEOPLE) is None
    assert reading.slots.get(dialogue.TIME) in (None, expected.get("nov"))


@pytest.mark.parametrize("said, count", ALL_PEOPLE)
def test_a_count_answers_the_people_question(said: str, count: int) -> None:
    reading = dialogue.read_message(said, "inform_booking", 0.9, dialogue.PEOPLE,
                                    {dialogue.TIME: "2026-11-23 19:00"}, NOWS["nov"])
    assert reading.slots[dialogue.PEOPLE] == count
    assert dialogue.TIME not in reading.slots


@pytest.mark.parametrize("time, expected", [(t, e) for t, e in ALL_TIMES if "nov" in e])
def test_a_time_answers_the_time_question(time: str, expected: Dict[str, str]) -> None:
    reading = dialogue.read_message(time, "inform_booking", 0.9, dialogue.TIME, {},
                                    NOWS["nov"])
    assert reading.slots[dialogue.TIME] == expected["nov"]
    assert reading.slots.get(dialogue.PEOPLE) is None
