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
WIDGET  := web/node_modules/rasa-webchat/lib/index.js
TRAINING_INPUTS := config.yml domain.yml $(shell find data -type f -name '*.yml' 2>/dev/null)

export ACTION_PORT ?= 5055
export ACTION_SERVER_TOKEN ?=
CONSOLE_PORT ?= 8090
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONWARNINGS := ignore
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

.PHONY: help install run train shell validate lint test test-fast heldout bench review staff clean

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

# The chat page's widget, from npm (package-lock.json pins it).
$(WIDGET): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Debian's packages the full suite needs: Chromium for the browser tests (with
# a CJK font, for Chinese and Korean pages in its screenshots), and
# PostgreSQL and Redis, which the tests start themselves on loopback. As root
# (CI), missing ones are installed; otherwise make stops with the command to run.
DEBIAN_PACKAGES := chromium fonts-noto-cjk postgresql redis-server
$(STAMPS)/debian:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	ls /usr/share/fonts/opentype/noto/NotoSansCJK* >/dev/null 2>&1 || missing="$$missing fonts-noto-cjk"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "make test needs Debian packages that are missing:$$missing"; \
	    echo "install them, then run make test again:"; \
	    echo "  sudo apt-get update && sudo apt-get install -y$$missing"; \
	    exit 1; \
	  fi; \
	fi
	@mkdir -p $(STAMPS) && touch $@

validate: $(STAMPS)/install ## Check the training data (warnings fail)
	$(BIN)/rasa data validate --fail-on-warnings

run: $(MODEL) $(WIDGET) ## Start the bot (:5005), actions (:5055) and chat page (:8080); Ctrl-C stops all
	scripts/run.sh

shell: $(MODEL) ## Chat with the bot in the terminal (starts the action server too)
	$(BIN)/python -m actions.server --port $(ACTION_PORT) & pid=$$!; \
	trap "kill $$pid" EXIT; $(BIN)/rasa shell --model $(MODEL) --endpoints endpoints.yml

lint: $(STAMPS)/install ## ruff and mypy
	$(BIN)/ruff check actions booking channels console embedding language safety scripts speed storage tests bench
	$(BIN)/mypy actions booking channels console embedding language safety scripts speed storage tests/support

test: $(STAMPS)/debian lint validate $(MODEL) $(WIDGET) ## Lint, validate the data, then run the whole test suite
	$(BIN)/pytest

test-fast: lint validate ## Lint, validate, and the unit tests of pure code (no servers, no browser, no root)
	$(BIN)/pytest tests/unit -q -p no:cacheprovider

review: $(STAMPS)/install ## Start the staff console on 127.0.0.1:$(CONSOLE_PORT) (waitress)
	@# plain HTTP on loopback: the session cookie may not be Secure (CONSOLE_SECURE_COOKIES)
	CONSOLE_SECURE_COOKIES=$${CONSOLE_SECURE_COOKIES:-false} $(BIN)/waitress-serve --listen=127.0.0.1:$(CONSOLE_PORT) --threads=8 --call console:create_app

staff: $(STAMPS)/install ## Create a staff account: make staff NAME=lan
	@test -n "$(NAME)" || { echo "usage: make staff NAME=<login name>"; exit 2; }
	$(BIN)/flask --app console create-staff $(NAME)

heldout: $(MODEL) ## Accuracy on every held-out set, per category, into results/heldout-<set>.md
	$(BIN)/python -m scripts.heldout

# STOCK_MODEL=path reuses a stock model trained earlier (its training takes 10-70 min on 2 cores).
bench: $(MODEL) $(WIDGET) ## Benchmark this bot against stock Rasa 3.6; writes bench/RESULTS.md
	$(BIN)/python bench/run.py $(if $(STOCK_MODEL),--stock-model $(STOCK_MODEL))

clean: ## Remove the venv, spaCy pipeline, models and test output
	rm -rf $(VENV) $(STAMPS) .spacy results .rasa $(MODEL) web/node_modules

.PHONY: new-question
new-question: ## Scaffold a question: make new-question NAME=ask_topic
	@test -n "$(NAME)" || { echo "usage: make new-question NAME=ask_topic"; exit 2; }
	@$(BIN)/python scripts/new_question.py "$(NAME)"
