"""Scaffold a new FAQ question: python scripts/new_question.py ask_<topic>.

Writes data/faq/ask_<topic>.yml (examples, answer with its source and
metadata.question, rule) from a template, adds the intent to domain.yml and a
test story stub to tests/stories/faq_answers.yml. The TODOs it leaves make the
content tests fail until they are filled in.
"""
import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = re.compile(r"^ask_[a-z][a-z0-9_]*$")
# The FAQ intents end where the spa's intents begin in domain.yml.
DOMAIN_ANCHOR = "  # the spa: data/nlu/spa.yml\n"

TEMPLATE = '''version: "3.1"

# TODO: what this question is about, and which article section answers it.
nlu:
- intent: {name}
  examples: |
    - TODO at least 15 ways a visitor would ask this, typos and fragments too


responses:
  utter_{name}:
  - text: "TODO: at most three sentences that say only what the cited section says."
    buttons:
    - title: "Book a session"
      payload: "/book"
    metadata:
      question: "TODO: the question this answers, as a button title"
    custom:
      kind: answer
      source:
        file: TODO.txt
        article: "TODO: the article's title as the answers cite it"
        section: "TODO: the exact section heading"


rules:
- rule: Answer the question about {topic}
  steps:
  - intent: {name}
  - action: utter_{name}
'''

STORY = '''
- story: A visitor asks about {topic} and gets that answer
  steps:
  - user: |
      TODO a new way to ask, not one of the training examples
    intent: {name}
  - action: utter_{name}
'''


def scaffold(name: str, root: Path = ROOT) -> Path:
    """Create the question's file, domain entry and story stub; the file's path."""
    if not NAME.match(name):
        raise ValueError(f"{name!r}: a question's name is ask_<topic>, lower case")
    path = root / "data" / "faq" / f"{name}.yml"
    if path.exists():
        raise FileExistsError(f"{path.relative_to(root)} exists already")
    domain = root / "domain.yml"
    text = domain.read_text()
    if re.search(rf"^  - {name}$", text, re.MULTILINE):
        raise ValueError(f"{name} is in domain.yml already")
    if DOMAIN_ANCHOR not in text:
        raise ValueError(f"domain.yml has no line {DOMAIN_ANCHOR.strip()!r}")
    topic = name[len("ask_"):].replace("_", " ")
    path.write_text(TEMPLATE.format(name=name, topic=topic))
    domain.write_text(text.replace(DOMAIN_ANCHOR, f"  - {name}\n{DOMAIN_ANCHOR}", 1))
    stories = root / "tests" / "stories" / "faq_answers.yml"
    stories.write_text(stories.read_text().rstrip("\n") + "\n" + STORY.format(name=name,
                                                                              topic=topic))
    return path


def main() -> int:
    """Scaffold the question named on the command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("name", help="the intent, ask_<topic>")
    args = parser.parse_args()
    try:
        path = scaffold(args.name)
    except (ValueError, FileExistsError) as error:
        print(error, file=sys.stderr)
        return 2
    print(f"Created {path.relative_to(ROOT)}; added {args.name} to domain.yml and a story "
          "stub to tests/stories/faq_answers.yml. Fill in every TODO, then `make test`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
