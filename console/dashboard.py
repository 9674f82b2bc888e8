"""Charts and figures over every stored conversation.

Conversations per day, top questions, fallback rate, handoffs per channel,
ratings (buttons and reactions), and the same figures per language.
"""
import collections
from dataclasses import dataclass
from typing import Any, Dict, List

from flask import Blueprint, current_app, render_template

from actions.catalog import NOT_QUESTIONS
from console.auth import login_required
from console.charts import bar_chart
from console.conversations import everyone
from console.transcripts import LANGUAGE_NAMES, Conversation

bp = Blueprint("dashboard", __name__)


@dataclass
class LanguageFigures:
    """One language's figures: a turn counts in the language it was written in."""

    code: str
    name: str
    conversations: int = 0
    questions: int = 0
    fallbacks: int = 0
    handoffs: int = 0
    helpful: int = 0
    not_helpful: int = 0
    not_delivered: int = 0

    @property
    def fallback_rate(self) -> float:
        """Share of questions that fell back or had low confidence."""
        return self.fallbacks / self.questions if self.questions else 0.0


def per_language(found: List[Conversation], low: float) -> List[LanguageFigures]:
    """Figures for en, vi and ko."""
    figures: Dict[str, LanguageFigures] = {code: LanguageFigures(code, name)
                                           for code, name in LANGUAGE_NAMES}
    for conversation in found:
        for code in conversation.languages:
            if code in figures:
                figures[code].conversations += 1
        for turn in conversation.turns:
            row = figures.get(turn.language)
            if row is None:
                continue
            if turn.is_question:
                row.questions += 1
                row.fallbacks += turn.fallback or turn.confidence < low
            row.handoffs += turn.handoff
            row.helpful += turn.rating == "up"
            row.not_helpful += turn.rating == "down"
            row.not_delivered += len(turn.not_delivered)
    return list(figures.values())


@bp.route("/dashboard")
@login_required
def index() -> Any:
    """Four SVG charts over every stored conversation, ratings, and a table per language."""
    low = current_app.config["LOW_CONFIDENCE"]
    found = everyone()
    per_day = collections.Counter(c.started.date().isoformat() for c in found if c.started)
    turns = [t for c in found for t in c.questions]
    questions = collections.Counter(t.intent for t in turns if t.intent not in NOT_QUESTIONS)
    by_day: dict = collections.defaultdict(lambda: [0, 0])
    for turn in turns:
        by_day[turn.time.date().isoformat()][0] += turn.fallback or turn.confidence < low
        by_day[turn.time.date().isoformat()][1] += 1
    handoffs = collections.Counter(c.channel or "unknown" for c in found for t in c.turns
                                   if t.handoff)
    ratings = collections.Counter(t.rating for c in found for t in c.turns if t.rating)
    languages = per_language(found, low)
    charts = [
        bar_chart("Conversations per day", sorted(per_day.items())[-14:]),
        bar_chart("Top questions", questions.most_common(10)),
        bar_chart("Fallback rate (fallback or low confidence)",
                  [(day, f / n) for day, (f, n) in sorted(by_day.items())[-14:]], unit="%"),
        bar_chart("Handoffs per channel", sorted(handoffs.items())),
    ]
    return render_template("dashboard.html", charts=charts, total=len(found), turns=len(turns),
                           languages=languages, helpful=ratings["up"],
                           not_helpful=ratings["down"])
