"""Structured logs: one JSON object per line, for journald, a log shipper or ``jq``.

Production's ``ckan.ini`` names :class:`JsonFormatter` in its ``[formatter_json]`` section
(``deploy/ckan-logging.ini``): every line carries the time (UTC, ISO 8601), the level, the
logger, the process and the message, plus the exception's traceback when there is one, so that
an operator can filter by logger or level without parsing free text. It needs nothing but the
standard library, since logging is configured before CKAN is loaded.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

# Attributes every LogRecord has; anything else was passed through ``extra=`` and is kept.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "pid", "message"[, "exc"][, extra...]}`` per record."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "pid": record.process,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, (str, int, float, bool, type(None))) else repr(value)
        return json.dumps(entry, ensure_ascii=False)
