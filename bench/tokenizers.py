"""Do spaCy's Vietnamese or Korean tokenizers beat the blank English one? Writes the table.

The pipeline's intent features are word counts (spaCy lemmas) and character
2-4-grams, classified by logistic regression (config.yml). This runs the same
features and classifier in scikit-learn over the training data (all of data/),
once per tokenizer, and measures top-1 intent accuracy on the held-out sets
(tests/heldout: English paraphrases, Vietnamese, Korean), the share above the
fallback threshold, and the tokenizer's time per message.

Run: .venv/bin/python bench/tokenizers.py   (needs pyvi and python-mecab-ko:
     .venv/bin/pip install -c constraints.txt pyvi==0.1.1 python-mecab-ko==1.3.7)
"""
import statistics
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
THRESHOLD = 0.45
# Intents whose Vietnamese and Korean examples are in data/nlu (the spa and small talk).
SPA_AND_CHAT = {"book", "contact", "ask_location", "ask_prices", "ask_opening_hours", "greet",
                "goodbye", "thank", "bot_challenge", "affirm", "deny", "out_of_scope"}

Tokenize = Callable[[str], List[str]]


def training_examples() -> List[Tuple[str, str]]:
    """(text, intent) for every training example, as Rasa reads data/."""
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_config(
        str(ROOT / "config.yml"), str(ROOT / "domain.yml"), [str(ROOT / "data")])
    data = importer.get_nlu_data()
    return [(m.get("text"), m.get("intent")) for m in data.intent_examples]


def heldout() -> Dict[str, List[Tuple[str, str]]]:
    """The held-out sets: name -> (text, expected intent)."""
    sets: Dict[str, List[Tuple[str, str]]] = {}
    english = yaml.safe_load((ROOT / "tests/heldout/nlu.yml").read_text())["nlu"]
    sets["en"] = [(line[2:].strip(), block["intent"]) for block in english
                  for line in block["examples"].splitlines() if line.startswith("- ")]
    for name in ("vi", "ko"):
        rows = yaml.safe_load((ROOT / f"tests/heldout/{name}.yml").read_text()) or []
        sets[name] = [(r["text"], r["expect"]) for r in rows if r.get("expect")]
    return sets


def tokenizers() -> Dict[str, Tokenize]:
    """Each candidate: text -> tokens (lemmas for the English pipeline, as Rasa uses)."""
    import spacy
    from mecab import MeCab

    from language.detect import detect

    english = spacy.load(str(ROOT / ".spacy/en_panda_lemmas"))
    vietnamese = spacy.blank("vi")  # pyvi word segmentation
    korean_rules = spacy.blank(
        "ko", config={"nlp": {"tokenizer": {"@tokenizers": "spacy.Tokenizer.v1"}}})
    mecab = MeCab()

    def en(text: str) -> List[str]:
        return [t.lemma_ or t.text for t in english(text)]

    def vi(text: str) -> List[str]:
        return [t.text for t in vietnamese(text)]

    def ko_rules(text: str) -> List[str]:
        return [t.text for t in korean_rules(text)]

    def ko_mecab(text: str) -> List[str]:
        return list(mecab.morphs(text))

    def by_language(text: str) -> List[str]:
        language = detect(text)
        if language == "vi":
            return vi(text)
        if language == "ko":
            return ko_mecab(text)
        return en(text)

    return {
        "blank English + lemmas (current)": en,
        "spaCy vi (pyvi) for every message": vi,
        "spaCy ko (rule-based) for every message": ko_rules,
        "python-mecab-ko morphemes for every message": ko_mecab,
        "by detected language: en / vi pyvi / ko mecab": by_language,
    }


def evaluate(tokenize: Tokenize, train: List[Tuple[str, str]],
             sets: Dict[str, List[Tuple[str, str]]]) -> Dict[str, float]:
    """Train the proxy pipeline with ``tokenize`` and score it on each held-out set."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    cache: Dict[str, List[str]] = {}

    def tokens(text: str) -> List[str]:
        if text not in cache:
            cache[text] = [t.lower() for t in tokenize(text) if t.strip()]
        return cache[text]

    words = CountVectorizer(analyzer=tokens)
    chars = CountVectorizer(analyzer="char_wb", ngram_range=(2, 4))
    texts = [t for t, _ in train]
    x = hstack([words.fit_transform(texts), chars.fit_transform([" ".join(tokens(t))
                                                                 for t in texts])]).tocsr()
    model = LogisticRegression(max_iter=200, solver="lbfgs", tol=1e-4, random_state=42,
                               class_weight="balanced")
    model.fit(x, [i for _, i in train])
    result: Dict[str, float] = {}
    for name, rows in sets.items():
        for subset, chosen in (("all", rows),
                               ("spa+chat", [r for r in rows if r[1] in SPA_AND_CHAT])):
            if name == "en" and subset != "all":
                continue
            if not chosen:
                continue
            xs = [t for t, _ in chosen]
            features = hstack([words.transform(xs),
                               chars.transform([" ".join(tokens(t)) for t in xs])]).tocsr()
            probabilities = model.predict_proba(features)
            right = confident = 0
            for (_, expected), row in zip(chosen, probabilities, strict=True):
                best = row.argmax()
                right += model.classes_[best] == expected
                confident += model.classes_[best] == expected and row[best] >= THRESHOLD
            result[f"{name} {subset}"] = right / len(chosen)
            result[f"{name} {subset} >= {THRESHOLD}"] = confident / len(chosen)
    samples = [t for rows in sets.values() for t, _ in rows]
    times = []
    for text in samples:
        started = time.perf_counter()
        tokenize(text)
        times.append((time.perf_counter() - started) * 1000)
    result["ms/msg"] = statistics.mean(times)
    return result


def main() -> None:
    """Print the comparison as a Markdown table."""
    train = training_examples()
    sets = heldout()
    print(f"training examples: {len(train)}; held-out: "
          + ", ".join(f"{k} {len(v)}" for k, v in sets.items()))
    rows = {name: evaluate(tok, train, sets) for name, tok in tokenizers().items()}
    columns = list(next(iter(rows.values())))
    print("| tokenizer | " + " | ".join(columns) + " |")
    print("|---|" + "---|" * len(columns))
    for name, result in rows.items():
        cells = [f"{result[c]:.3f}" if c == "ms/msg" else f"{result[c]:.0%}" for c in columns]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
