"""A mail backend for the fault drill: each message becomes one line of
$DRILL_DIR/mail.jsonl. While $DRILL_DIR/slow exists, a worker about to send first writes its
process id to $DRILL_DIR/sending and waits, which is when the drill kills it."""

import json
import os
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend

SLOW_SECONDS = 60


class RecordingBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        folder = Path(os.environ["DRILL_DIR"])
        if (folder / "slow").exists():
            (folder / "sending").write_text(str(os.getpid()))
            time.sleep(SLOW_SECONDS)
        lines = "".join(
            json.dumps({"to": sorted(message.to), "subject": str(message.subject)}) + "\n"
            for message in email_messages
        )
        # One append per call: lines from several worker processes never interleave.
        with open(folder / "mail.jsonl", "a", encoding="utf-8") as journal:
            journal.write(lines)
        return len(email_messages)
