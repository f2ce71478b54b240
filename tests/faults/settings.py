"""The fault drill's settings (tests/faults/drill.py): the demo's, with every mail recorded as
one JSON line so the drill can count what was sent, and slowed on request so it can kill a
worker in the middle of sending."""

from config.settings.local import *  # noqa: F403

EMAIL_BACKEND = "tests.faults.mail.RecordingBackend"
