"""Charts: conversations per day, top questions, fallback rate, handoffs per channel."""
import collections
from typing import Any

from flask import Blueprint, current_app, render_template

from console.auth import login_required
from console.charts import bar_chart
from console.conversations import everyone
from console.transcripts import NOT_QUESTIONS

bp = Blueprint("dashboard", __name__)


@bp.route("/dashboard")
@login_required
def index() -> Any:
    """Four SVG charts over every stored conversation."""
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
    charts = [
        bar_chart("Conversations per day", sorted(per_day.items())[-14:]),
        bar_chart("Top questions", questions.most_common(10)),
        bar_chart("Fallback rate (fallback or low confidence)",
                  [(day, f / n) for day, (f, n) in sorted(by_day.items())[-14:]], unit="%"),
        bar_chart("Handoffs per channel", sorted(handoffs.items())),
    ]
    return render_template("dashboard.html", charts=charts, total=len(found), turns=len(turns))
