"""Structured logs: one JSON object per line."""

from __future__ import annotations

import json
import logging
import sys

from ckanext.satudata_balikpapan.ops.logs import JsonFormatter


def _record(**extra) -> logging.LogRecord:
    record = logging.makeLogRecord(
        {"name": "ckanext.satudata", "levelname": "WARNING", "levelno": 30, "msg": "gagal %s", "args": ("x",)}
    )
    record.__dict__.update(extra)
    return record


def test_a_record_becomes_one_json_line_with_time_level_logger_and_message():
    line = JsonFormatter().format(_record())
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "ckanext.satudata"
    assert entry["message"] == "gagal x"
    assert entry["time"].endswith("+00:00")


def test_an_exception_and_extra_fields_are_kept():
    try:
        raise ValueError("kolom salah")
    except ValueError:
        record = _record(exc_info=sys.exc_info(), dataset="penduduk", attempts=3)
    entry = json.loads(JsonFormatter().format(record))
    assert "ValueError: kolom salah" in entry["exc"]
    assert (entry["dataset"], entry["attempts"]) == ("penduduk", 3)
