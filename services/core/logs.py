"""JSON logs on stdout, one object a line."""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        JsonFormatter("%(asctime)s %(levelname)s %(name)s %(threadName)s %(message)s",
                      rename_fields={"asctime": "time", "levelname": "level", "name": "logger"})
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # pika is chatty at INFO about every connection; its warnings still show.
    logging.getLogger("pika").setLevel(logging.WARNING)
