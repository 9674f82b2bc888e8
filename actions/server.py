"""Run the action server bound to one interface (127.0.0.1 by default).

``rasa run actions`` always listens on every interface; this keeps the custom
actions private to the machine unless ACTION_SERVER_HOST says otherwise.
"""
import argparse
import logging
import os

from rasa_sdk.endpoint import create_app

from storage.settings import load_env_file


def main() -> None:
    """Parse the arguments and serve the actions package."""
    load_env_file()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=os.environ.get("ACTION_SERVER_HOST") or "127.0.0.1")
    parser.add_argument("--port", type=int, default=5055)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = create_app("actions")
    app.run(host=args.host, port=args.port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
