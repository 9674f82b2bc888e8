# Panda Spa assistant. Two commands matter: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Rasa 3.6 needs Python 3.10: the first python3.10 found (PATH, then pyenv).
PYTHON310 ?= $(shell for p in python3.10 $$HOME/.pyenv/versions/3.10*/bin/python3.10 /usr/bin/python3.10; do \
	$$p -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV    := .venv
BIN     := $(VENV)/bin
STAMPS  := .stamps
SPACY   := .spacy/en_panda_lemmas
MODEL   := models/panda.tar.gz
TRAINING_INPUTS := config.yml domain.yml $(shell find data -type f -name '*.yml' 2>/dev/null)

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONWARNINGS := ignore
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

.PHONY: help install run train shell validate lint test bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	@test -n "$(PYTHON310)" || { echo "Python 3.10 is required (Rasa 3.6 does not run on 3.11+)"; exit 1; }
	$(PYTHON310) -m venv $(VENV)

$(STAMPS)/install: requirements.txt constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt -c constraints.txt
	@mkdir -p $(STAMPS) && touch $@

install: $(STAMPS)/install ## Create .venv and install the pinned dependencies

$(SPACY)/meta.json: scripts/build_spacy.py $(STAMPS)/install
	$(BIN)/python scripts/build_spacy.py $(SPACY)

# Retrained only when data, config or domain changed since the last model.
$(MODEL): $(TRAINING_INPUTS) $(SPACY)/meta.json
	$(BIN)/rasa train --fixed-model-name panda --out models

train: $(MODEL) ## Train the model if data, config or domain changed

validate: $(STAMPS)/install ## Check the training data (warnings fail)
	$(BIN)/rasa data validate --fail-on-warnings

run: $(MODEL) ## Start the action server (:5055) and Rasa (:5005); Ctrl-C stops both
	scripts/run.sh

shell: $(MODEL) ## Chat with the bot in the terminal
	$(BIN)/rasa shell --model $(MODEL)

lint: $(STAMPS)/install ## ruff and mypy
	$(BIN)/ruff check actions scripts tests
	$(BIN)/mypy actions scripts

test: lint validate $(MODEL) ## Lint, validate the data, then run the whole test suite
	$(BIN)/pytest

clean: ## Remove the venv, spaCy pipeline, models and test output
	rm -rf $(VENV) $(STAMPS) .spacy results .rasa $(MODEL)
