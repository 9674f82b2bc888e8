#!/usr/bin/env bash
# Start the action server and Rasa together; Ctrl-C (or either one dying) stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
RASA_HOST="${RASA_HOST:-127.0.0.1}"
RASA_PORT="${RASA_PORT:-5005}"
ACTION_PORT="${ACTION_PORT:-5055}"

trap 'trap - EXIT INT TERM; kill 0 2>/dev/null; wait' EXIT INT TERM

$BIN/python -m actions.server --port "$ACTION_PORT" &
$BIN/rasa run --model models/panda.tar.gz \
  --interface "$RASA_HOST" --port "$RASA_PORT" \
  --credentials credentials.yml --endpoints endpoints.yml \
  --cors "*" &

echo "Panda Spa assistant: REST http://$RASA_HOST:$RASA_PORT/webhooks/rest/webhook (Ctrl-C to stop)"
wait -n
