#!/usr/bin/env bash
# Start the action server, Rasa and the chat page together.
# Ctrl-C (or any one of them dying) stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

# Settings come from the environment first, then from .env (ENV_FILE), read as
# KEY=VALUE data by storage/settings.py and never executed.
eval "$($BIN/python -m storage.settings --export)"
RASA_HOST="${RASA_HOST:-127.0.0.1}"
RASA_PORT="${RASA_PORT:-5005}"
export ACTION_PORT="${ACTION_PORT:-5055}"
export WEB_PORT="${WEB_PORT:-8080}"
# One Rasa worker per core (at most 4) on RASA_PORT; a conversation's messages
# stay one at a time through the file locks in LOCK_DIR (endpoints.yml).
RASA_WORKERS="${RASA_WORKERS:-$(n=$(nproc 2>/dev/null || echo 1); echo $(( n > 4 ? 4 : n )))}"
# (under the project's var/: a /tmp name others could guess and create first)
export LOCK_DIR="${LOCK_DIR:-$PWD/var/locks-$RASA_PORT}"
# Another endpoints file only for deployments README describes (several servers).
RASA_ENDPOINTS="${RASA_ENDPOINTS:-endpoints.yml}"

# Every channel variable that is still unset becomes empty, and its channel
# then refuses all requests.
for var in $(grep -oE '^[A-Z_]+' .env.example); do export "$var=${!var-}"; done

# Rasa's HTTP API (conversations, model) is off unless RASA_ENABLE_API=true,
# and then only with a token (RASA_AUTH_TOKEN) or a JWT secret (RASA_JWT_SECRET).
# scripts/rasa_run.py passes them to Rasa inside its process: never on a
# command line that `ps` would show.
if [ "${RASA_ENABLE_API:-false}" = "true" ] && [ -z "${RASA_AUTH_TOKEN:-}" ] \
    && [ -z "${RASA_JWT_SECRET:-}" ]; then
  echo "RASA_ENABLE_API=true needs RASA_AUTH_TOKEN or RASA_JWT_SECRET; refusing to start." >&2
  exit 2
fi

trap 'trap - EXIT INT TERM; kill 0 2>/dev/null; wait' EXIT INT TERM

$BIN/python -m actions.server --port "$ACTION_PORT" &
SANIC_WORKERS="$RASA_WORKERS" $BIN/python -m scripts.rasa_run run --model models/panda.tar.gz \
  --interface "$RASA_HOST" --port "$RASA_PORT" \
  --credentials credentials.yml --endpoints "$RASA_ENDPOINTS" &
$BIN/python -m scripts.web --host "$RASA_HOST" --port "$WEB_PORT" --rasa-port "$RASA_PORT" \
  --rasa-url "${RASA_PUBLIC_URL:-}" &

echo "Panda Spa assistant starting (Rasa takes a few seconds to load the model):"
echo "  chat page  http://$RASA_HOST:$WEB_PORT/"
echo "  REST       http://$RASA_HOST:$RASA_PORT/webhooks/rest/webhook"
echo "Ctrl-C stops everything."
wait -n
