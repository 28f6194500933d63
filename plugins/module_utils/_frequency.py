# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""When an Element schedule runs, and how long it keeps what it takes: the frequencies Element
accepts (every N minutes or hours, days of the week, days of the month) and its retention form.
Shared by the schedule module and the topology check. Pure.

Private module_utils: not a public API of the collection.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from ansible_collections.element.replication.plugins.module_utils._durations import (
    DurationError, format_seconds, parse_rpo)
from ansible_collections.element.replication.plugins.module_utils._errors import Refusal

TIME_INTERVAL, DAYS_OF_WEEK, DAYS_OF_MONTH = "Time Interval", "Days Of Week", "Days Of Month"
WEEKDAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")  # Element: day 0-6
GRANULARITY = 300  # Element runs schedules at five-minute boundaries
MAX_GROUP_VOLUMES = 32  # volumes in one group snapshot (Element's groupSnapshotVolumesMax)
MAX_INTERVAL = 8784 * 3600  # Time Interval hours 0-8784 (a year; the SDK sends days * 24 + hours)
_AT = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Frequency:
    """When a schedule runs: every interval seconds, or at hour:minute on weekdays / monthdays."""
    kind: str
    hours: int = 0
    minutes: int = 0
    weekdays: Tuple[int, ...] = ()
    monthdays: Tuple[int, ...] = ()

    @property
    def interval(self) -> float:
        """The longest time between two runs, in seconds (for retention and lateness)."""
        if self.kind == TIME_INTERVAL:
            return float(self.hours * 3600 + self.minutes * 60)
        if self.kind == DAYS_OF_WEEK:
            days = sorted(self.weekdays)
            gaps = [(b - a) for a, b in zip(days, days[1:] + [days[0] + 7])]
            return float(max(gaps) * 86400)
        days = sorted(self.monthdays)
        gaps = [(b - a) for a, b in zip(days, days[1:] + [days[0] + 31])]
        return float(max(gaps) * 86400)

    def api(self) -> Dict[str, Any]:
        """The schedule fields of this frequency, as CreateSchedule and ModifySchedule take them."""
        fields: Dict[str, Any] = {"hours": self.hours, "minutes": self.minutes}
        if self.kind == DAYS_OF_WEEK:
            fields["weekdays"] = [{"day": day, "offset": 1} for day in self.weekdays]
        if self.kind == DAYS_OF_MONTH:
            fields["monthdays"] = list(self.monthdays)
        return fields

    def describe(self) -> str:
        if self.kind == TIME_INTERVAL:
            return "every %s" % format_seconds(self.interval)
        at = "%02d:%02d UTC" % (self.hours, self.minutes)
        if self.kind == DAYS_OF_WEEK:
            return "%s at %s" % (", ".join(WEEKDAYS[d] for d in self.weekdays), at)
        return "on day %s of the month at %s" % (", ".join(str(d) for d in self.monthdays), at)


def frequency(every: Any = None, weekdays: Optional[List[Any]] = None, monthdays: Optional[List[Any]] = None,
              at: Optional[str] = None) -> Frequency:
    """The frequency the options declare; a Refusal naming what Element would not accept."""
    given = [name for name, value in (("every", every), ("weekdays", weekdays), ("monthdays", monthdays))
             if value not in (None, [], "")]
    if len(given) != 1:
        raise Refusal("give exactly one of every, weekdays or monthdays (given: %s)" % (", ".join(given) or "none"))
    if every not in (None, ""):
        if at:
            raise Refusal("at is for weekdays and monthdays; every runs at its interval")
        try:
            seconds = parse_rpo(every)
        except DurationError as exc:
            raise Refusal("every %s" % exc)
        if seconds < GRANULARITY or seconds % GRANULARITY:
            raise Refusal("every %s is not an interval Element runs: schedules run at five-minute boundaries, so give "
                          "a multiple of 5 minutes (5m, 15m, 1h, 1d)" % every)
        if seconds > MAX_INTERVAL:
            raise Refusal("every %s is longer than Element runs a schedule at: at most %dh (366d); for rarer "
                          "snapshots use monthdays" % (every, MAX_INTERVAL // 3600))
        whole = int(seconds) // 60
        return Frequency(TIME_INTERVAL, hours=whole // 60, minutes=whole % 60)
    match = _AT.match(str(at or "00:00"))
    if not match or int(match.group(2)) % 5:
        raise Refusal("at %r is not a time of day Element runs a schedule at: HH:MM (UTC), minutes a multiple of 5"
                      % at)
    hours, minutes = int(match.group(1)), int(match.group(2))
    if weekdays:
        days = []
        for day in weekdays:
            name = str(day).strip().lower()
            found = [i for i, full in enumerate(WEEKDAYS) if name in (full, full[:3], str(i))]
            if not found:
                raise Refusal("weekday %r is not a day of the week (sunday..saturday, sun..sat, or 0-6)" % day)
            days.append(found[0])
        return Frequency(DAYS_OF_WEEK, hours, minutes, weekdays=tuple(sorted(set(days))))
    days = []
    for day in monthdays or []:
        if isinstance(day, bool) or not str(day).isdigit() or not 1 <= int(day) <= 31:
            raise Refusal("monthday %r is not a day of the month (1-31)" % day)
        days.append(int(day))
    return Frequency(DAYS_OF_MONTH, hours, minutes, monthdays=tuple(sorted(set(days))))


def retention_text(seconds: float) -> str:
    """Element's retention form, HH:mm:ss (hours may exceed 24)."""
    whole = int(seconds)
    return "%d:%02d:%02d" % (whole // 3600, whole % 3600 // 60, whole % 60)


def parse_retention(text: Any) -> Optional[float]:
    if not text:
        return None
    parts = str(text).split(":")
    try:
        return float(int(parts[0]) * 3600 + int(parts[1]) * 60 + int(parts[2])) if len(parts) == 3 else None
    except ValueError:
        return None


def interval_of(schedule: Dict[str, Any]) -> Optional[float]:
    """The longest time between two runs of a schedule as a cluster lists it; None when unknown."""
    kind = (schedule.get("attributes") or {}).get("frequency")
    try:
        if kind == TIME_INTERVAL:
            return float(int(schedule.get("hours") or 0) * 3600 + int(schedule.get("minutes") or 0) * 60) or None
        if kind == DAYS_OF_WEEK and schedule.get("weekdays"):
            return Frequency(kind, weekdays=tuple(int(d.get("day", 0)) for d in schedule["weekdays"])).interval
        if kind == DAYS_OF_MONTH and schedule.get("monthdays"):
            return Frequency(kind, monthdays=tuple(int(d) for d in schedule["monthdays"])).interval
    except (TypeError, ValueError, AttributeError):
        return None
    return None
