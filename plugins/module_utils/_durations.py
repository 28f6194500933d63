# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Durations: the RPOs users write (30s, 15m, 4h, 1d, or seconds), the delays clusters report
(ISO 8601 durations such as PT5.25S, or HH:MM:SS.ffffff), and times of day in API objects.

Private module_utils: not a public API of the collection.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any, Optional

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# Units are lowercase only: an uppercase M reads as months to many (ISO 8601's P1M), so "6M" of
# retention could be six months meant and six minutes taken; D, H and S follow for one rule.
_RPO = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UPPER_UNIT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([SMHD])\s*$")
_ISO = re.compile(r"^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$")
_CLOCK = re.compile(r"^(?:(\d+)[ .d]+)?(\d+):(\d{1,2}):(\d{1,2}(?:\.\d+)?)$")


class DurationError(ValueError):
    """A duration that cannot be read; the message says what was expected."""


def parse_rpo(value: Any) -> float:
    """Seconds of a declared recovery point objective: a positive number of seconds, or a number
    with a lowercase unit (s, m, h, d), e.g. 30s, 15m, 4h, 1d. An empty string is refused (leave
    the key out for none)."""
    if isinstance(value, bool):
        raise DurationError("%r is not a duration" % value)
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        match = _RPO.match(str(value))
        upper = _UPPER_UNIT.match(str(value))
        if upper:
            raise DurationError("%r is not a duration: units are lowercase (s, m, h, d), so write %s%s; M is never "
                                "months" % (value, upper.group(1), upper.group(2).lower()))
        if not str(value).strip():
            raise DurationError("%r is not a duration: give seconds, or a number with s, m, h or d (30s, 15m, 4h, "
                                "1d); leave the key out for none" % value)
        if not match:
            raise DurationError("%r is not a duration: give seconds, or a number with s, m, h or d (30s, 15m, 4h, 1d)"
                                % value)
        seconds = float(match.group(1)) * UNITS[(match.group(2) or "s").lower()]
    if seconds <= 0:
        raise DurationError("%r is not a positive duration" % value)
    return seconds


def parse_delay(value: Any) -> Optional[float]:
    """Seconds of a delay a cluster reports (volumeStats.asyncDelay): an ISO 8601 duration
    (PT1H2M3.5S, P1DT2H) or a clock duration (HH:MM:SS[.ffffff], optionally with days). None
    (not paired) stays None; anything else raises DurationError."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip()
    match = _ISO.match(text)
    if match and text not in ("P", "PT") and not text.endswith("T"):
        days, hours, minutes, seconds = (float(part) if part else 0.0 for part in match.groups())
        return days * 86400 + hours * 3600 + minutes * 60 + seconds
    match = _CLOCK.match(text)
    if match:
        days, hours, minutes = (int(part) if part else 0 for part in match.groups()[:3])
        return days * 86400 + hours * 3600 + minutes * 60 + float(match.group(4))
    raise DurationError("%r is not a duration the collection knows (ISO 8601 such as PT5S, or HH:MM:SS)" % value)


def format_seconds(seconds: Optional[float]) -> str:
    """A short human form: 0s, 45s, 12m 5s, 3h 2m, 2d 4h."""
    if seconds is None:
        return "unknown"
    whole = int(round(seconds))
    for unit, size, smaller, smaller_size in (("d", 86400, "h", 3600), ("h", 3600, "m", 60), ("m", 60, "s", 1)):
        if whole >= size:
            rest = (whole % size) // smaller_size
            return "%d%s" % (whole // size, unit) + (" %d%s" % (rest, smaller) if rest else "")
    return "%ds" % whole


def parse_time(value: Any) -> Optional[float]:
    """Unix seconds of an API time (2026-12-02T10:00:00Z, with or without fractions); None when
    empty or unreadable."""
    if not value or not isinstance(value, str):
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=timezone.utc)
    return stamp.timestamp()
