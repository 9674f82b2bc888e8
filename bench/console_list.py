"""The staff console's conversation list at 100,000 conversations.

Generates a SQLite conversation database from the recorded conversations in
tests/fixtures/conversations.jsonl (each copied under new sender ids, 30 s
apart), builds the list's summaries once, then times the first page and a
filtered page through Flask's test client, logged in.

Usage: python bench/console_list.py [--conversations 100000]
"""
import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIXTURE = ROOT / "tests" / "fixtures" / "conversations.jsonl"
COLUMNS = ("sender_id", "type_name", "timestamp", "intent_name", "action_name", "data")
PASSWORD = "bench console password"


def recorded() -> List[List[Dict]]:
    """The recorded conversations, each a list of event rows."""
    by_sender: Dict[str, List[Dict]] = {}
    for line in FIXTURE.read_text().splitlines():
        if line.strip():
            row = json.loads(line)
            by_sender.setdefault(row["sender_id"], []).append(row)
    return list(by_sender.values())


def generate(db: Path, count: int) -> int:
    """``count`` conversations in Rasa's events table; the number of events."""
    import sqlalchemy as sa

    from console import db as console_db

    engine = sa.create_engine(f"sqlite:///{db}")
    console_db.metadata.create_all(engine)
    engine.dispose()
    templates, start = recorded(), time.time() - count * 30
    connection = sqlite3.connect(db)
    events = 0
    batch: List[tuple] = []
    for i in range(count):
        template = templates[i % len(templates)]
        base = template[0]["timestamp"]
        for row in template:
            when = start + i * 30 + (row["timestamp"] - base)
            data = json.loads(row["data"])
            if isinstance(data.get("timestamp"), (int, float)):
                data["timestamp"] = when
            batch.append((f"bench-{i:06d}", row["type_name"], when, row["intent_name"],
                          row["action_name"], json.dumps(data)))
        if len(batch) >= 50_000:
            events += len(batch)
            connection.executemany(
                f"INSERT INTO events ({', '.join(COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)", batch)
            batch = []
    events += len(batch)
    connection.executemany(
        f"INSERT INTO events ({', '.join(COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)", batch)
    connection.commit()
    connection.close()
    return events


def median_ms(client: object, path: str, times: int = 7) -> float:
    """The median time of ``times`` GETs of ``path``, in ms."""
    took = []
    for _ in range(times):
        started = time.perf_counter()
        response = client.get(path)  # type: ignore[attr-defined]
        took.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return statistics.median(took)


def measure(count: int = 100_000) -> Dict[str, float]:
    """Figures for the list at ``count`` conversations."""
    import re

    from console import create_app, db, summaries
    from console.auth import create_staff

    figures: Dict[str, float] = {"conversations": count}
    with tempfile.TemporaryDirectory(prefix="panda-console-bench-") as tmp:
        path = Path(tmp) / "conversations.db"
        started = time.perf_counter()
        figures["events"] = generate(path, count)
        figures["generate_s"] = time.perf_counter() - started
        app = create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "bench",
                          "SESSION_COOKIE_SECURE": False})
        with app.app_context():
            create_staff("bench", PASSWORD)
            started = time.perf_counter()
            summaries.refresh(db.engine())
            figures["summaries_s"] = time.perf_counter() - started
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token
        client.post("/login", data={"username": "bench", "password": PASSWORD,
                                    "csrf_token": token.group(1)})
        figures["first_page_ms"] = median_ms(client, "/")
        figures["filtered_page_ms"] = median_ms(client, "/?fallback=1&q=reflexology&page=3")
        app.extensions["engine"].dispose()
    return figures


def table(figures: Dict[str, float]) -> str:
    """The console's figures as a Markdown table."""
    met = "yes" if figures["first_page_ms"] <= 300 else "no"
    return "\n".join([
        "| Figure | Value | Target | Met |", "|---|---|---|---|",
        f"| Console: first page at {figures['conversations']:,.0f} conversations (ms) "
        f"| {figures['first_page_ms']:.0f} | ≤ 300 | {met} |",
        f"| Console: filtered page 3 (fallback, text) (ms) | {figures['filtered_page_ms']:.0f} "
        "| | |",
        f"| Console: list summaries built once, {figures['events']:,.0f} events (s) "
        f"| {figures['summaries_s']:.1f} | | |",
    ])


def main() -> int:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conversations", type=int, default=100_000)
    args = parser.parse_args()
    figures = measure(args.conversations)
    print(json.dumps(figures, indent=1))
    print(table(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
