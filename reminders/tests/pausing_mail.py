"""The file mail backend, pausing for a minute after its first message is written (and a
marker file says so): the window in which the integration test kills the worker."""

import os
import time
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend as FileEmailBackend


class EmailBackend(FileEmailBackend):
    def send_messages(self, email_messages):
        sent = super().send_messages(email_messages)
        marker = Path(os.environ["REMINDERS_TEST_PAUSE_AFTER_SEND"])
        if not marker.exists():
            marker.touch()
            time.sleep(60)
        return sent
