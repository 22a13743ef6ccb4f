"""Text messages to a person's own phone for their account (recovery codes).

``text_sender()`` builds the class named by ``ACCOUNT_SMS_SENDER`` (a dotted path). The
default, ``FileTextSender``, appends each message to ``var/log/sms.log``: the demo's SMS
outbox, where the person trying the demo reads the code. An operator's gateway adapter
implements the same ``send`` (the e-services gateways in ``etam.eservices.notifications``
have this signature) and is named in the environment (docs/adr/0131).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger("etam.core.account_sms")


class TextSender(Protocol):
    def send(self, *, to: str, body: str, channel: str, reference: str) -> None: ...


class FileTextSender:
    """The demo outbox: one JSON line per message in ``<VAR_DIR>/log/sms.log``."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or Path(settings.VAR_DIR) / "log" / "sms.log"

    def send(self, *, to: str, body: str, channel: str, reference: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = {"at": timezone.now().isoformat(), "to": to, "channel": channel, "reference": reference, "body": body}
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
        logger.info("SMS to %s•••%s written to %s (%s)", to[:5], to[-3:], self.path, reference)


def text_sender() -> TextSender:
    sender_class = import_string(getattr(settings, "ACCOUNT_SMS_SENDER", "") or "etam.core.account_sms.FileTextSender")
    sender: TextSender = sender_class()
    return sender
