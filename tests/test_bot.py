"""The running bot over its REST channel: answers, sources, handoff, context, safety."""
import re

from language.variants import variant_for
from tests.helpers import UNSURE_CANDIDATES, buttons, customs, texts
from tests.support.servers import Bot

FOOT_GUIDE = "foot-massage-benefits-panda-spa.txt"
MASSAGE_ARTICLE = "massage-therapy-healing-benefits.txt"


def source_of(messages: list) -> dict:
    (custom,) = [c for c in customs(messages) if c.get("kind") == "answer"]
    return custom["source"]


def test_foot_sleep_question_gets_the_sleep_answer_with_its_source(bot: Bot, sender: str) -> None:
    reply = bot.say("does foot massage help with sleep?", sender)
    assert "30–60 minutes before bedtime" in texts(reply)
    source = source_of(reply)
    assert source["file"] == FOOT_GUIDE
    assert source["section"].startswith("2.3. Benefit 3")


def test_after_an_answer_book_and_related_questions_are_offered(bot: Bot, sender: str) -> None:
    reply = bot.say("does foot massage help with sleep?", sender)
    payloads = [b["payload"] for b in buttons(reply)]
    assert "/book" in payloads
    assert {"/ask_best_time", "/ask_frequency"} <= set(payloads)


def test_asking_for_contacts_hands_off_with_every_contact_as_a_link(bot: Bot,
                                                                   sender: str) -> None:
    reply = bot.say("how can I contact you?", sender)
    text = texts(reply)
    for detail in ["(+84) 70 818 5397", "(+84) 38 396 7775", "booking@pandaspa.vn",
                   "Panda Spa Da Nang", "229 Nguyen Van Thoai", "225 Nguyen Van Thoai"]:
        assert detail in text
    links = {b.get("url") for b in buttons(reply)}
    assert {"tel:+84708185397", "https://wa.me/84383967775", "mailto:booking@pandaspa.vn"} <= links
    assert any(c.get("kind") == "handoff" for c in customs(reply))


def test_prices_are_never_invented(bot: Bot, sender: str, responses: dict) -> None:
    reply = bot.say("how much is a 60 minute foot massage?", sender)
    text = texts(reply)
    contacts = next(v for v in responses["utter_contacts"] if not v.get("condition"))
    assert "prices" in text and contacts["text"] in text
    assert not re.search(r"\d", text.replace(contacts["text"], ""))


def test_opening_hours_are_never_invented(bot: Bot, sender: str) -> None:
    reply = bot.say("what time do you open on sunday?", sender)
    text = texts(reply)
    assert "opening hours" in text
    assert not re.search(r"\b\d{1,2}(:\d\d)?\s*(am|pm)\b", text.lower())


def test_follow_ups_stay_on_foot_massage(bot: Bot, sender: str) -> None:
    bot.say("is a foot massage good for stress?", sender)
    sleep = bot.say("and for sleep?", sender)
    assert source_of(sleep)["file"] == FOOT_GUIDE
    assert source_of(sleep)["section"].startswith("2.3.")
    often = bot.say("how often?", sender)
    assert "2–3 sessions a week" in texts(often)
    best = bot.say("when is best?", sender)
    assert source_of(best)["section"].startswith("3.2.")


def test_follow_ups_stay_on_general_massage(bot: Bot, sender: str) -> None:
    bot.say("does massage therapy help with stress?", sender)
    sleep = bot.say("and for sleep?", sender)
    assert source_of(sleep) == {
        "file": MASSAGE_ARTICLE,
        "article": "Unlocking Healing Benefits: A Deep Dive into Massage Therapy",
        "section": "Improving Sleep Quality",
    }


def test_gibberish_gets_what_the_bot_can_do_and_the_contacts(bot: Bot, sender: str,
                                                            responses: dict) -> None:
    """No likely question: no guess, no "did you mean", but the scope and the contacts."""
    reply = bot.say("qwzx plorb vvv", sender)
    expected = [variant_for(responses[name], {"language": "en"})["text"]
                for name in ("utter_out_of_scope", "utter_contacts")]
    assert [m["text"] for m in reply if m.get("text")] == expected


def test_a_near_miss_sleep_question_gets_the_foot_massage_sleep_answer(bot: Bot,
                                                                      sender: str) -> None:
    reply = bot.say("reflexology sleep insomnia help?", sender)
    assert source_of(reply)["section"].startswith("2.3. Benefit 3: Lulls You into Deep Sleep")


def test_out_of_scope_is_polite_and_gives_contacts(bot: Bot, sender: str) -> None:
    reply = bot.say("what's the weather like in Da Nang today?", sender)
    text = texts(reply)
    assert "I can only help" in text
    assert "booking@pandaspa.vn" in text


def test_uncovered_condition_gets_no_benefit_claim(bot: Bot, sender: str) -> None:
    reply = bot.say("I have a blood clot in my leg, can I get a foot massage?", sender)
    text = texts(reply)
    assert "doctor" in text and "therapist" in text
    assert "booking@pandaspa.vn" in text
    assert not any(c.get("kind") == "answer" for c in customs(reply))


def test_pregnancy_answer_follows_the_article_and_advises_a_doctor(bot: Bot, sender: str) -> None:
    reply = bot.say("I'm pregnant, is massage safe?", sender)
    assert "doctor" in texts(reply)
    assert source_of(reply)["section"] == "Prenatal Massage"


def test_every_turn_is_stored_in_the_tracker_store(bot: Bot, sender: str) -> None:
    bot.say("hello", sender)
    bot.say("what is reflexology?", sender)
    events = bot.tracker(sender)["events"]
    said = [e["text"] for e in events if e["event"] == "user"]
    assert said == ["hello", "what is reflexology?"]
    assert "utter_ask_reflexology" in [e.get("name") for e in events if e["event"] == "action"]




def test_an_unsure_question_gets_suggestion_buttons_through_the_shipped_config(
        bot: Bot, sender: str) -> None:
    """`make run`'s endpoints.yml reaches the action server: "did you mean", never the apology.

    Buttons come only from the action server; the apology is what a visitor gets
    when it can't be reached.
    """
    unsure = [text for text in UNSURE_CANDIDATES
              if bot.parse(text)["intent"]["name"] == "nlu_fallback"]
    assert unsure, "no candidate falls below the FallbackClassifier threshold any more: add one"
    replies = [bot.say(text, f"{sender}-{i}") for i, text in enumerate(unsure)]
    assert not [r for r in replies if "couldn't answer" in texts(r)]
    offered = [buttons(r) for r in replies if "Did you mean" in texts(r)]
    assert offered, replies
    for choices in offered:
        assert choices[-1]["payload"] == "/contact"
        assert len(choices) >= 2 and all(b["payload"].startswith("/ask_") for b in choices[:-1])
