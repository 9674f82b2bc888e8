"""Build the offline spaCy pipeline the NLU config loads.

A blank English pipeline with a lookup lemmatizer whose tables come from the
installed ``spacy-lookups-data`` package, so nothing is downloaded.
"""
import sys
from pathlib import Path

import spacy


def build(target: Path) -> None:
    """Write the pipeline to ``target``."""
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    nlp.meta["name"] = "panda_lemmas"
    nlp.meta["description"] = "Blank English tokenizer with lookup lemmas (offline)."
    target.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(target)


if __name__ == "__main__":
    build(Path(sys.argv[1] if len(sys.argv) > 1 else ".spacy/en_panda_lemmas"))
