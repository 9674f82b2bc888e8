"""The booking form in Chinese (Simplified and Traditional), without Rasa: days and times,
people, leaving, what is not an answer, names, contacts (+86, +852, +886, e-mail; no WeChat),
the last look, the texts the form writes itself, and the parsers' cost on hostile input.

Expected values are written out by hand against a fixed "now" (Sunday 22 November 2026,
10:00 in Da Nang), never computed by the code under test.
"""
import datetime as dt
import time
from typing import Any, Callable, Dict, List

import pytest

from booking import dialogue, fields, people, replies, summary, when
from language.booking_limits import LIMIT_TEXTS
from language.script import to_traditional

NOW = dt.datetime(2026, 11, 22, 10, 0, tzinfo=when.TZ)
WEDNESDAY = dt.datetime(2026, 11, 25, 10, 0, tzinfo=when.TZ)
FULL = {dialogue.TIME: "2026-11-23 19:00", dialogue.PEOPLE: 2, dialogue.LOCATION: "225",
        dialogue.MASSAGE: "foot", dialogue.NAME: "张伟", dialogue.CONTACT: "+8613812345678"}


def read(text: str, requested: str | None, slots: Dict[str, Any] | None = None,
         notes: Dict[str, Any] | None = None, intent: str = "inform_booking",
         language: str = "zh", now: dt.datetime = NOW) -> dialogue.Reading:
    return dialogue.read_message(text, intent, 0.9, requested, slots or {}, now,
                                 notes=notes, language=language)


def said(reading: dialogue.Reading) -> List[str]:
    """The domain responses named, in order (computed replies as "say")."""
    return [r[0] if isinstance(r, tuple) else "say" for r in reading.responses]


def both_scripts(cases: List[Any]) -> List[Any]:
    """Each case as written (Simplified) and in Traditional characters."""
    out = list(cases)
    for case in cases:
        text, *rest = case if isinstance(case, tuple) else (case,)
        if to_traditional(text) != text:
            out.append((to_traditional(text), *rest) if isinstance(case, tuple)
                       else to_traditional(text))
    return out


# --- days and times -------------------------------------------------------------------------

@pytest.mark.parametrize("text, value", both_scripts([
    ("明天晚上7点", "2026-11-23 19:00"), ("今晚8点", "2026-11-22 20:00"),
    ("周六下午三点", "2026-11-28 15:00"), ("星期六下午3点", "2026-11-28 15:00"),
    ("礼拜六下午三点", "2026-11-28 15:00"), ("后天上午10点", "2026-11-24 10:00"),
    ("下周二晚上8点", "2026-11-24 20:00"), ("下星期三下午4点", "2026-11-25 16:00"),
    ("12月28日下午3点", "2026-12-28 15:00"), ("12月28号下午3点", "2026-12-28 15:00"),
    ("28号下午3点", "2026-11-28 15:00"), ("晚上七点半", "2026-11-22 19:30"),
    ("3点半", "2026-11-22 15:30"), ("中午12点", "2026-11-22 12:00"),
    ("明天中午", "2026-11-23 12:00"), ("明天早上9点", "2026-11-23 09:00"),
    ("大后天晚上八点", "2026-11-25 20:00"),
    ("十二月二十八号晚上九点", "2026-12-28 21:00"), ("二十八号晚上7点", "2026-11-28 19:00"),
    ("明天下午两点", "2026-11-23 14:00"), ("明天十点", "2026-11-23 10:00"),
    ("明天十一点", "2026-11-23 11:00"), ("明天十二点", "2026-11-23 12:00"),
    ("明天十点零五分", "2026-11-23 10:05"), ("明天7点15分", "2026-11-23 19:15"),
    ("明晚7点一刻", "2026-11-23 19:15"), ("明天下午3点三刻", "2026-11-23 15:45"),
    ("明天晚上7点钟", "2026-11-23 19:00"), ("明天19时", "2026-11-23 19:00"),
    ("明天 7pm", "2026-11-23 19:00"), ("明天下午3:30", "2026-11-23 15:30"),
    ("明天晚上７点", "2026-11-23 19:00"), ("明天下午3：30", "2026-11-23 15:30"),
    ("今天下午四点", "2026-11-22 16:00"), ("两天后下午5点", "2026-11-24 17:00"),
    ("这周日晚上6点", "2026-11-22 18:00"), ("2026年12月28日下午3点", "2026-12-28 15:00"),
    ("今晚", "2026-11-22 evening"), ("明天下午", "2026-11-23 afternoon"),
    ("周五晚上", "2026-11-27 evening"), ("31号晚上8点", "2026-12-31 20:00"),
    # Cantonese, as Hong Kong writes it
    ("聽日下晝三點", "2026-11-23 15:00"), ("後日朝早十點", "2026-11-24 10:00"),
]))
def test_a_chinese_day_and_time_is_read(text: str, value: str) -> None:
    parsed = when.parse(text, NOW)
    assert isinstance(parsed, when.When) and parsed.value == value, when.english(text)
    assert read(text, dialogue.TIME).slots[dialogue.TIME] == value


@pytest.mark.parametrize("text, day", both_scripts([
    ("星期六", "2026-11-28"), ("礼拜六", "2026-11-28"), ("周六", "2026-11-28"),
    ("明天", "2026-11-23"), ("后天", "2026-11-24"), ("大后天", "2026-11-25"),
    ("12月28日", "2026-12-28"), ("12月28号", "2026-12-28"), ("下周二", "2026-11-24"),
    ("28号", "2026-11-28"), ("十二月三十一日", "2026-12-31")]))
def test_a_chinese_day_without_its_time_keeps_the_day_and_asks_the_time(text: str,
                                                                       day: str) -> None:
    assert when.parse(text, NOW) == "no_time"
    reading = read(text, dialogue.TIME)
    assert reading.slots == {dialogue.TIME: None, dialogue.NOTES: {"day": day}}
    assert reading.responses == []
    then = read("晚上7点", dialogue.TIME, notes={"day": day})
    assert then.slots[dialogue.TIME] == f"{day} 19:00"


@pytest.mark.parametrize("text, now, days", [
    ("这周末下午3点", WEDNESDAY, ["2026-11-28 15:00", "2026-11-29 15:00"]),
    ("這週末下午3點", WEDNESDAY, ["2026-11-28 15:00", "2026-11-29 15:00"]),
    ("周末晚上", WEDNESDAY, ["2026-11-28 evening", "2026-11-29 evening"]),
    ("下周末", WEDNESDAY, ["2026-12-05", "2026-12-06"]),
    ("周日晚上6点", NOW, ["2026-11-22 18:00", "2026-11-29 18:00"]),
])
def test_a_chinese_time_that_can_mean_two_days_is_asked_with_buttons(
        text: str, now: dt.datetime, days: List[str]) -> None:
    reading = read(text, dialogue.TIME, now=now)
    assert reading.slots[dialogue.TIME] is None
    choice = reading.responses[0]
    assert isinstance(choice, replies.Say) and choice.text == replies.say("which_day", "zh")
    assert [b["payload"] for b in choice.buttons] == [replies.choice(d) for d in days]
    assert all(len(b["title"]) <= replies.MAX_TITLE for b in choice.buttons)


@pytest.mark.parametrize("text", ["下周", "下星期", "下个礼拜"])
def test_a_chinese_week_without_its_day_asks_which_day(text: str) -> None:
    assert said(read(text, dialogue.TIME)) == ["utter_booking_invalid_time_which_day"]


@pytest.mark.parametrize("text, response", [
    ("12月下午3点", "utter_booking_invalid_time_unclear"),
    ("2月30号下午3点", "utter_booking_invalid_time_unclear"),
    ("昨天下午3点", "utter_booking_invalid_time_past"),
    ("今天早上9点", "utter_booking_invalid_time_past"),
    ("早上9点", "utter_booking_invalid_time_past"),
    ("三个月后", "utter_booking_invalid_time_unclear"),
])
def test_a_chinese_day_that_cannot_be_used_is_asked_never_guessed(text: str,
                                                                  response: str) -> None:
    reading = read(text, dialogue.TIME)
    assert reading.slots[dialogue.TIME] is None
    assert said(reading) == [response]


@pytest.mark.parametrize("text", ["能早一点吗", "晚一点可以吗", "我有一点累", "便宜一点"])
def test_a_bit_earlier_or_later_is_not_one_oclock(text: str) -> None:
    assert when.parse(text, NOW) is None


@pytest.mark.parametrize("text, digits", [
    ("二十八", "28"), ("十二", "12"), ("十", "10"), ("十一", "11"), ("两", "2"), ("三十一", "31"),
    ("七点半", "7 点半"), ("两个人", "2 个人"), ("星期六两个人", "星期 6 2 个人")])
def test_chinese_numerals_become_digits_that_never_join(text: str, digits: str) -> None:
    assert " ".join(when.zh_digits(text).split()) == digits


# --- people ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, count", both_scripts([
    ("两个人", 2), ("2个人", 2), ("2位", 2), ("两位", 2), ("三个", 3), ("我们三个", 3),
    ("我们3人", 3), ("我和我老婆", 2), ("我跟我朋友", 2), ("我和老公", 2), ("夫妻俩", 2),
    ("就我一个", 1), ("一个人", 1), ("就我自己", 1), ("4大1小", 5), ("2大1小", 3),
    ("两大一小", 3), ("2个大人1个小孩", 3), ("一家四口", 4), ("一家三口", 3),
    ("我和两个朋友", 3), ("我和老婆带两个孩子", 4), ("十个人", 10), ("两个吧", 2), ("两", 2),
    ("3", 3), ("五位", 5)]))
def test_chinese_people_counts(text: str, count: int) -> None:
    assert people.parse(text, requested=True) == count
    reading = read(text, dialogue.PEOPLE, {dialogue.TIME: "2026-11-23 19:00"})
    assert reading.slots[dialogue.PEOPLE] == count
    assert dialogue.TIME not in reading.slots


@pytest.mark.parametrize("text", both_scripts([
    "3点", "下午3点", "7点钟", "19时", "3pm", "下午两点", "十点半", "晚上七点半", "28号",
    "12月28号", "周六", "星期二", "两个小时", "三个月", "两天后", "预约一个足疗", "下周二"]))
def test_a_chinese_time_or_thing_is_never_a_people_count(text: str) -> None:
    assert people.parse(text, requested=False) is None
    assert people.parse(text, requested=True) == people.Invalid("unclear")


@pytest.mark.parametrize("text", ["二十五个人", "100个人", "我们30位"])
def test_more_than_twenty_people_is_refused_in_chinese(text: str) -> None:
    assert people.parse(text, requested=True) == people.Invalid("too_many")


# --- leaving, small talk, what is not an answer -----------------------------------------------

@pytest.mark.parametrize("text", both_scripts([
    "算了", "算了吧", "那算了", "不订了", "我不订了", "取消", "取消预约", "不用了", "不用了，谢谢",
    "先不约了", "先不订了", "我打电话吧", "还是打电话吧", "改天再说", "不要了", "唔使了",
    "算了，没什么"]))
@pytest.mark.parametrize("requested", [dialogue.TIME, dialogue.PEOPLE, dialogue.NAME,
                                       dialogue.CONTACT, dialogue.CONFIRMED])
def test_leaving_in_chinese_stops_the_form_at_any_question(text: str, requested: str) -> None:
    reading = read(text, requested, FULL)
    assert reading.leave and not reading.slots
    assert said(reading) == ["utter_booking_cancelled"]


@pytest.mark.parametrize("text", [
    "取消政策是什么？", "取消政策是什么?", "可以取消吗", "取消要收费吗", "两个人", "王小明",
    "我到了给你们打电话", "不用预约吗", "明天晚上7点"])
def test_chinese_answers_and_questions_are_not_leaving(text: str) -> None:
    assert not dialogue.is_leave(text)


@pytest.mark.parametrize("text, kind", both_scripts([
    ("谢谢", "thanks"), ("谢谢你", "thanks"), ("多谢！", "thanks"), ("你好", "greet"),
    ("您好", "greet"), ("好的", "ok"), ("嗯", "ok"), ("嗯嗯", "ok"), ("好", "ok")]))
def test_chinese_small_talk_during_the_form_is_not_an_answer(text: str, kind: str) -> None:
    assert dialogue.small_talk(text) == kind
    reading = read(text, dialogue.TIME)
    assert reading.slots == {dialogue.TIME: None}
    assert said(reading) == ([] if kind == "ok" else [f"utter_booking_small_talk_{kind}"])


@pytest.mark.parametrize("text", both_scripts([
    "谢谢", "好的", "嗯", "嗯嗯", "你好", "是的", "对", "好", "哈哈", "不知道", "陈", "在吗",
    "什么", "没问题"]))
def test_chinese_chit_chat_is_not_a_name(text: str) -> None:
    assert isinstance(fields.parse_name(text), fields.Invalid)
    assert read(text, dialogue.NAME).slots.get(dialogue.NAME) is None


@pytest.mark.parametrize("text, name", [
    ("张伟", "张伟"), ("王小明", "王小明"), ("陈先生", "陈先生"), ("李女士", "李女士"),
    ("陳先生", "陳先生"), ("張偉", "張偉"), ("我叫张伟", "张伟"), ("我是王小明", "王小明"),
    ("我的名字是王小明。", "王小明"), ("姓名：李娜", "李娜"), ("张伟，谢谢", "张伟"),
    ("我姓陈", "陈"), ("免贵姓王", "王"), ("Zhang Wei", "Zhang Wei")])
def test_chinese_names_are_kept_as_written(text: str, name: str) -> None:
    assert fields.parse_name(text) == name
    assert read(text, dialogue.NAME).slots[dialogue.NAME] == name


# --- contacts -------------------------------------------------------------------------------

@pytest.mark.parametrize("text, value", [
    ("+86 138 1234 5678", "+8613812345678"), ("+86-139-1234-5678", "+8613912345678"),
    ("0086 186 1234 5678", "+8618612345678"), ("13812345678", "+8613812345678"),
    ("138 1234 5678", "+8613812345678"), ("我的电话是+86 13812345678", "+8613812345678"),
    ("手机：15912345678", "+8615912345678"), ("手機號碼 13812345678", "+8613812345678"),
    ("13812345678，谢谢", "+8613812345678"), ("１３８１２３４５６７８", "+8613812345678"),
    ("+852 9123 4567", "+85291234567"), ("+852 6123-4567", "+85261234567"),
    ("+886 912 345 678", "+886912345678"), ("+886 0912 345 678", "+886912345678"),
    ("+886 2 2345 6789", "+886223456789"), ("+84 90 123 4567", "+84901234567"),
    ("090 123 4567", "+84901234567"), ("微信同号 13812345678", "+8613812345678")])
def test_chinese_phone_numbers_are_normalised(text: str, value: str) -> None:
    assert fields.parse_contact(text, language="zh") == fields.Contact(value, "phone")
    reading = read(text, dialogue.CONTACT)
    assert reading.slots[dialogue.CONTACT] == value
    assert reading.slots[dialogue.CONTACT_METHOD] == "phone"


def test_an_eleven_digit_number_is_chinese_only_in_a_chinese_conversation() -> None:
    assert fields.parse_contact("13812345678").value == "+13812345678"  # type: ignore[union-attr]
    assert fields.parse_contact("13812345678", language="zh") == fields.Contact(
        "+8613812345678", "phone")


@pytest.mark.parametrize("text", ["+86 138 1234 567", "+86 138 1234 56789", "+852 1234 567",
                                  "+852 9123 45678", "+886 912 345 67", "+886 912 345 6789"])
def test_numbers_of_the_wrong_length_are_refused(text: str) -> None:
    assert fields.parse_contact(text, language="zh") == fields.Invalid("bad_phone")
    assert said(read(text, dialogue.CONTACT)) == ["utter_booking_invalid_contact_bad_phone"]


@pytest.mark.parametrize("text, value", [
    ("zhang.wei@qq.com", "zhang.wei@qq.com"), ("邮箱 Wei@163.com", "wei@163.com"),
    ("我的邮箱是 wei@gmail.com", "wei@gmail.com"), ("郵箱：wei@163.com", "wei@163.com")])
def test_chinese_email_answers(text: str, value: str) -> None:
    assert fields.parse_contact(text, language="zh") == fields.Contact(value, "email")


WECHAT = ["微信 abc123", "微信：zhangwei_88", "wx: zhangwei88", "加我微信", "WeChat: zw_88",
          "我的微信号是 panda_fan", "加我微信吧", "vx zw88", "微信號 abc123"]


@pytest.mark.parametrize("text", WECHAT)
def test_a_wechat_id_is_refused_saying_which_contacts_work(text: str) -> None:
    assert fields.parse_contact(text, language="zh") == fields.Invalid("wechat")
    reading = read(text, dialogue.CONTACT)
    assert reading.slots == {dialogue.CONTACT: None, dialogue.NOTES: {
        "tries": {dialogue.CONTACT: 1}}}
    refusal = reading.responses[-1]
    assert isinstance(refusal, replies.Say) and refusal.text == replies.say("contact_wechat", "zh")
    assert all(word in refusal.text for word in ("微信", "电话", "WhatsApp", "邮箱", "您"))


@pytest.mark.parametrize("language, words", [
    ("en", ("WeChat", "phone", "WhatsApp", "e-mail")),
    ("vi", ("WeChat", "điện thoại", "WhatsApp", "e-mail")),
    ("ko", ("위챗", "전화번호", "WhatsApp", "이메일"))])
def test_the_wechat_refusal_is_in_the_conversations_language(language: str,
                                                             words: tuple) -> None:
    refusal = read("WeChat: zw_88", dialogue.CONTACT, language=language).responses[-1]
    assert isinstance(refusal, replies.Say)
    assert all(word in refusal.text for word in words)


def test_a_second_wechat_id_offers_the_team_instead_of_a_third_question() -> None:
    first = read("微信 abc123", dialogue.CONTACT)
    second = read("加我微信", dialogue.CONTACT, notes=first.slots[dialogue.NOTES])
    assert len(second.responses) == 1
    stuck = second.responses[0]
    assert isinstance(stuck, replies.Say)
    assert stuck.text == replies.say("stuck_booking_contact", "zh")
    assert [b["title"] for b in stuck.buttons] == ["联系工作人员", "取消"]


def test_a_phone_after_a_wechat_id_is_taken() -> None:
    first = read("微信 abc123", dialogue.CONTACT)
    second = read("+86 138 1234 5678", dialogue.CONTACT, notes=first.slots[dialogue.NOTES])
    assert second.slots == {dialogue.CONTACT: "+8613812345678",
                            dialogue.CONTACT_METHOD: "phone", dialogue.NOTES: None}


# --- a whole request, other fields ------------------------------------------------------------

@pytest.mark.parametrize("text, kind", both_scripts([
    ("足疗", "foot"), ("足底按摩", "foot"), ("泡脚", "foot"), ("全身按摩", "body"),
    ("精油按摩", "body"), ("不确定", "unsure"), ("还没想好", "unsure"), ("都可以", "unsure")]))
def test_the_kind_of_massage_is_read_in_chinese(text: str, kind: str) -> None:
    assert fields.parse_massage(text, requested=True) == kind


@pytest.mark.parametrize("text, location", both_scripts([
    ("229", "229"), ("225号那家", "225"), ("哪家都可以", "either"), ("两家都行", "either"),
    ("都可以", "either"), ("无所谓", "either")]))
def test_the_location_is_read_in_chinese(text: str, location: str) -> None:
    assert fields.parse_location(text, requested=True) == location


def test_whatever_said_to_another_question_is_not_a_location() -> None:
    reading = read("都可以", dialogue.MASSAGE)
    assert reading.slots == {dialogue.MASSAGE: "unsure"}


@pytest.mark.parametrize("text", ["你好，我想预约明天晚上7点两个人足疗，225那家",
                                  "你好，我想預約明天晚上7點兩個人足療，225那家"])
def test_a_one_line_chinese_request_fills_every_field_it_names(text: str) -> None:
    assert read(text, None, intent="book").slots == {
        dialogue.TIME: "2026-11-23 19:00", dialogue.PEOPLE: 2, dialogue.MASSAGE: "foot",
        dialogue.LOCATION: "225"}


def test_a_chinese_time_said_to_the_people_question_is_kept_as_the_time() -> None:
    reading = read("明天晚上七点", dialogue.PEOPLE)
    assert reading.slots[dialogue.TIME] == "2026-11-23 19:00"
    assert reading.slots[dialogue.PEOPLE] is None


# --- the last look ----------------------------------------------------------------------------

@pytest.mark.parametrize("text", both_scripts(["发送", "好的", "确认", "没问题，发吧", "对",
                                               "是的", "可以", "确认无误", "好的，谢谢",
                                               "对，发送吧", "可以发了", "嗯，提交吧"]))
def test_send_at_the_last_look_in_chinese(text: str) -> None:
    assert read(text, dialogue.CONFIRMED, FULL).slots == {dialogue.CONFIRMED: True}


@pytest.mark.parametrize("text", ["不对", "先别发", "等一下", "不要发", "还没", "不是", "行程有变",
                                  "在对面那家", "是不是要付定金", "好像有问题", "可以改吗"])
def test_a_chinese_no_at_the_last_look_never_sends(text: str) -> None:
    assert read(text, dialogue.CONFIRMED, FULL).slots.get(dialogue.CONFIRMED) is not True


@pytest.mark.parametrize("text", ["修改", "我想改一下", "更改"])
def test_change_at_the_last_look_asks_which_part_in_chinese(text: str) -> None:
    reading = read(text, dialogue.CONFIRMED, FULL)
    assert reading.slots == {dialogue.CONFIRMED: None, dialogue.NOTES: {"change": True}}


@pytest.mark.parametrize("text, slot", both_scripts([
    ("改时间", dialogue.TIME), ("修改日期", dialogue.TIME), ("修改人数", dialogue.PEOPLE),
    ("换店", dialogue.LOCATION), ("改地点", dialogue.LOCATION), ("改按摩类型", dialogue.MASSAGE),
    ("改名字", dialogue.NAME), ("修改联系方式", dialogue.CONTACT), ("改电话", dialogue.CONTACT)]))
def test_changing_a_field_named_in_chinese_clears_it(text: str, slot: str) -> None:
    reading = read(text, dialogue.CONFIRMED, FULL, notes={"change": True})
    assert reading.slots == {slot: None, dialogue.CONFIRMED: None, dialogue.NOTES: None}


@pytest.mark.parametrize("text, slot", [("时间", dialogue.TIME), ("人数", dialogue.PEOPLE),
                                        ("名字", dialogue.NAME)])
def test_after_change_naming_the_field_in_chinese_is_enough(text: str, slot: str) -> None:
    reading = read(text, dialogue.CONFIRMED, FULL, notes={"change": True})
    assert reading.slots == {slot: None, dialogue.CONFIRMED: None, dialogue.NOTES: None}


@pytest.mark.parametrize("text, slot, value", [
    ("改成3个人", dialogue.PEOPLE, 3), ("改成三位", dialogue.PEOPLE, 3),
    ("时间改成后天晚上8点", dialogue.TIME, "2026-11-24 20:00"),
    ("改到229那家", dialogue.LOCATION, "229"), ("换成全身按摩", dialogue.MASSAGE, "body")])
def test_a_chinese_correction_at_the_last_look_is_applied(text: str, slot: str,
                                                         value: Any) -> None:
    reading = read(text, dialogue.CONFIRMED, FULL)
    assert reading.slots[slot] == value and reading.slots[dialogue.CONFIRMED] is None
    assert said(reading)[0] == "utter_booking_updated"


# --- what the form writes itself ----------------------------------------------------------------

def test_the_summary_values_are_in_chinese() -> None:
    assert summary.summary_values(FULL, "zh") == {
        "when": "2026年11月23日（周一）19:00", "people": "2位",
        "location": "225 Nguyen Van Thoai", "massage": "足疗", "name": "张伟",
        "contact": "+8613812345678"}
    values = summary.summary_values({**FULL, dialogue.MASSAGE: "body",
                                     dialogue.LOCATION: "either",
                                     dialogue.TIME: "2026-11-28 evening"}, "zh")
    assert (values["massage"], values["location"], values["when"]) == (
        "全身按摩", "哪家都可以", "2026年11月28日（周六）晚上")
    assert summary.day_text(dt.date(2026, 11, 28), "zh") == "11月28日（周六）"
    assert summary.short_when("2026-11-28 15:00", "zh") == "11月28日 周六 15:00"


def test_two_failed_tries_in_chinese_offer_buttons_in_chinese() -> None:
    first = read("很多", dialogue.PEOPLE)
    assert said(first) == ["utter_booking_invalid_people_unclear"]
    second = read("不清楚", dialogue.PEOPLE, notes=first.slots[dialogue.NOTES])
    stuck = second.responses[-1]
    assert isinstance(stuck, replies.Say)
    assert [b["title"] for b in stuck.buttons] == ["1位", "2位", "3位", "4位", "联系工作人员",
                                                   "取消"]


def test_the_last_look_stuck_offers_send_and_change_in_chinese() -> None:
    stuck = replies.stuck(dialogue.CONFIRMED, [], "zh")
    assert stuck.text == replies.say("stuck_booking_confirmed", "zh")
    assert [b["title"] for b in stuck.buttons] == ["发送", "修改", "联系工作人员", "取消"]


def test_every_text_the_form_writes_has_its_chinese() -> None:
    for key, texts in replies.TEXTS.items():
        assert set(texts) == set(replies.LANGUAGES), key
        assert texts["zh"].strip() and not any("\uac00" <= c <= "\ud7af" for c in texts["zh"])
    for key, texts in LIMIT_TEXTS.items():
        assert "zh" in texts, key
    assert "{id}" in LIMIT_TEXTS["booking_duplicate"]["zh"]


def test_the_chinese_texts_are_polite_and_say_booking_as_yuyue() -> None:
    for key in ("stuck_booking_contact", "contact_wechat", "stuck_booking_name"):
        assert "您" in replies.say(key, "zh"), key
    assert "你" not in "".join(t["zh"] for t in replies.TEXTS.values())
    assert "预约" in replies.say("stuck_booking_confirmed", "zh")


def test_the_teams_email_stays_in_english_quoting_the_visitor() -> None:
    request = {"id": 7, "requested_time": "2026-11-23 19:00", "people": 2, "location": "225",
               "massage": "foot", "name": "陳先生", "contact": "+886912345678",
               "contact_method": "phone", "language": "zh", "channel": "web",
               "created_at": dt.datetime(2026, 11, 22, 3, 0), "sender_id": "abc"}
    body = summary.email_body(request)
    assert "Name:      陳先生\n" in body and "Massage:   foot massage\n" in body
    assert "When:      Mon 23 Nov 2026, 19:00 (Da Nang time)" in body
    assert "Language:  zh\n" in body
    assert [c for c in body if "\u4e00" <= c <= "\u9fff"] == list("陳先生")
    assert summary.email_subject(request) == ("Booking request #7: Mon 23 Nov 2026, 19:00, "
                                              "2 people, 225 Nguyen Van Thoai")


# --- hostile input ------------------------------------------------------------------------------

HOSTILE = [
    "明天晚上七点两个人" * 1200, "一" * 10240, "十" * 10240, "周" * 10240, "点" * 10240,
    "微信" * 5120, "我和我老婆" * 2100, "下周二" * 3500, "１" * 10240, "號" * 10240,
    "12月28号" * 1500, "4大1小" * 2100, "十二月二十八号" * 1500, "取消" * 5120,
    ("二十八号下午三点半" + " ") * 1100, "我叫" * 5120, "+86 " * 2560,
]
PARSERS: Dict[str, Callable[[str], Any]] = {
    "when.parse": lambda t: when.parse(t, NOW),
    "people.parse": lambda t: people.parse(t, requested=True),
    "fields.parse_name": fields.parse_name,
    "fields.parse_contact": lambda t: fields.parse_contact(t, language="zh"),
    "dialogue.is_leave": dialogue.is_leave,
    "dialogue.read_message": lambda t: dialogue.read_message(
        t, "inform_booking", 0.9, None, {}, NOW, language="zh"),
    "dialogue.read_message(contact)": lambda t: dialogue.read_message(
        t, "inform_booking", 0.9, dialogue.CONTACT, {}, NOW, language="zh"),
    "dialogue.read_message(confirm)": lambda t: dialogue.read_message(
        t, "inform_booking", 0.9, dialogue.CONFIRMED, FULL, NOW, language="zh"),
}


@pytest.mark.parametrize("name", list(PARSERS))
def test_every_booking_parser_takes_under_50_ms_on_10_kb_of_chinese(name: str) -> None:
    parser = PARSERS[name]
    parser("明天晚上七点两个人")
    for text in HOSTILE:
        assert len(text.encode()) >= 10_000
        best = min(_timed(parser, text) for _ in range(3))
        assert best < 0.050, f"{name} took {best * 1000:.1f} ms on {text[:20]!r}…"


def _timed(parser: Callable[[str], Any], text: str) -> float:
    start = time.perf_counter()
    parser(text)
    return time.perf_counter() - start
