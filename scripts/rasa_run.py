"""``rasa`` started with its HTTP API secrets read from the environment.

``python -m scripts.rasa_run run --model … --port …`` is ``rasa run …`` plus,
when ``RASA_ENABLE_API=true``, ``--enable-api`` with ``RASA_AUTH_TOKEN`` (or
``RASA_JWT_SECRET``). The secrets are added to Rasa's arguments inside this
process, so they never appear on a command line that ``ps`` shows. It also
keeps JAX out of the process (``speed.memory``) and installs the message-path
savings of ``speed.runtime``.
"""
import ctypes
import os
import signal
import sys
from typing import Dict, List


def api_arguments(env: Dict[str, str]) -> List[str]:
    """The HTTP API arguments for ``env``; SystemExit(2) when the API has no secret."""
    if env.get("RASA_ENABLE_API", "false") != "true":
        return []
    if env.get("RASA_AUTH_TOKEN"):
        return ["--enable-api", "--auth-token", env["RASA_AUTH_TOKEN"]]
    if env.get("RASA_JWT_SECRET"):
        return ["--enable-api", "--jwt-secret", env["RASA_JWT_SECRET"], "--jwt-method", "HS256"]
    print("RASA_ENABLE_API=true needs RASA_AUTH_TOKEN or RASA_JWT_SECRET; refusing to start.",
          file=sys.stderr)
    raise SystemExit(2)


PR_SET_PDEATHSIG = 1


def prepare_worker() -> None:
    """In each worker Sanic forks (RASA_WORKERS): stop with the main process, and at once.

    - Be sent SIGTERM when the main process dies (Linux), so no worker is
      left serving the port on its own.
    - Until Sanic installs its graceful handler, which it does only once the
      model is loaded, SIGTERM ends the worker as it would any process, and
      Ctrl-C is the main process's to handle (it then sends SIGTERM). Without
      this, a worker still loading the model when Ctrl-C came would go on
      serving after everything else stopped.
    """
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: nothing to set
        pass


def main() -> None:
    """Run Rasa's command line in this process with the API arguments added."""
    os.register_at_fork(after_in_child=prepare_worker)
    arguments = sys.argv[1:] + api_arguments(dict(os.environ))
    sys.argv = ["rasa", *arguments]
    from speed.memory import leave_out_unused_modules

    leave_out_unused_modules()
    from rasa.__main__ import main as rasa_main

    from speed.runtime import install

    install()

    rasa_main()


if __name__ == "__main__":
    main()
