"""The embedded defaults for `make demo`: no server needed beyond this process."""

from config.logging import configure_logging

from .base import *  # noqa: F403
from .base import LOG_LEVEL, env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="demo-only-insecure-key-zjcs-0b7f3c2e6a9d4e51")

LOGGING = configure_logging(json_output=env.bool("LOG_JSON", default=False), level=LOG_LEVEL)

# The demo is explored in minutes, not days: a deadline a minute after publication lets a
# visitor watch a real draw happen (base.py explains the setting; production never has it).
DEMO_MIN_QUOTING_SECONDS = env.int("DEMO_MIN_QUOTING_SECONDS", default=60)
# The wait between the deadline and the draw's beacon round, shortened too; still longer than
# the minute between sweeps, so the quotes are fixed before the round exists.
BEACON_DELAY_SECONDS = env.int("BEACON_DELAY_SECONDS", default=90)
