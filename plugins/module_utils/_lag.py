# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""How far behind a volume pair is: its lag (seconds of writes the target does not have yet) and
its recovery point, from what the clusters report. Pure.

Async pairs: the source volume's asyncDelay (volumeStats: the time since it was last synced with
the remote cluster). Sync pairs that are Active: zero, by definition; otherwise the source's
asyncDelay too (they fall behind while paused or disconnected). SnapshotsOnly pairs replicate only
snapshots: their recovery point is the newest snapshot that has arrived on the target, and the lag
is its age.

Private module_utils: not a public API of the collection.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional

from ansible_collections.element.replication.plugins.module_utils._durations import (
    DurationError, format_seconds, parse_delay, parse_time)
from ansible_collections.element.replication.plugins.module_utils._element import (
    ACTIVE, SNAPSHOTS_ONLY, SYNC, Finding, finding)
from ansible_collections.element.replication.plugins.module_utils._frequency import (
    DAYS_OF_MONTH, DAYS_OF_WEEK, GRANULARITY, TIME_INTERVAL, interval_of)

if TYPE_CHECKING:  # the values _state reads; the functions here only look at them
    from ansible_collections.element.replication.plugins.module_utils._state import Existing, Snapshot, VolumeStats


def newest_arrived(snapshots: Iterable[Snapshot], pair_uuid: Optional[str] = None) -> Dict[int, Snapshot]:
    """The newest complete snapshot of each volume (volume ID -> snapshot); with pair_uuid, only
    those the pair's target holds too (read on a source)."""
    newest: Dict[int, Snapshot] = {}
    for snapshot in snapshots:
        if snapshot.status != "done" or snapshot.create_time is None:
            continue
        if pair_uuid is not None and pair_uuid not in snapshot.present_on:
            continue
        current = newest.get(snapshot.volume_id)
        if current is None or (snapshot.create_time, snapshot.snapshot_id) > (current.create_time, current.snapshot_id):
            newest[snapshot.volume_id] = snapshot
    return newest


@dataclass(frozen=True)
class Lag:
    """How far behind one pair is. lag_seconds is None when it cannot be known (findings say why)."""
    lag_seconds: Optional[float]
    async_delay: Any = None
    recovery_point: Optional[Dict[str, Any]] = None  # SnapshotsOnly: the newest snapshot on the target
    findings: tuple = ()

    def facts(self) -> Dict[str, Any]:
        return {"lag_seconds": None if self.lag_seconds is None else round(self.lag_seconds, 3),
                "async_delay": self.async_delay, "recovery_point": self.recovery_point}

    @classmethod
    def from_facts(cls, facts: Optional[Dict[str, Any]]) -> "Lag":
        """The Lag that facts() wrote into a record (no lag when the record is None or has none)."""
        facts = facts or {}
        return cls(facts.get("lag_seconds"), facts.get("async_delay"), facts.get("recovery_point"))


def pair_lag(mode: str, source_state: Optional[str], target_state: Optional[str], source_stats: Optional[VolumeStats],
             target_snapshot: Optional[Snapshot], now: Optional[float], where: str) -> Lag:
    """The lag of one complete pair. where names the pair in findings ("db01 on prod")."""
    if mode == SNAPSHOTS_ONLY:
        if target_snapshot is None:
            return Lag(None, findings=(finding(
                Finding.NO_REPLICATED_SNAPSHOT, "%s replicates only snapshots and none has arrived on the target: "
                "nothing is protected (schedule snapshots with remote replication)" % where),))
        age = max(0.0, now - target_snapshot.create_time) if now is not None and target_snapshot.create_time else None
        point = {"name": target_snapshot.name, "create_time": target_snapshot.create_time_text,
                 "age_seconds": None if age is None else round(age, 3)}
        return Lag(age, async_delay=source_stats.async_delay if source_stats else None, recovery_point=point)
    if mode == SYNC and source_state == ACTIVE and target_state == ACTIVE:
        return Lag(0.0, async_delay=source_stats.async_delay if source_stats else None)
    if source_stats is None:
        return Lag(None, findings=(finding(
            Finding.LAG_UNKNOWN, "the lag of %s is unknown: the cluster reported no statistics for the volume" % where),))
    try:
        seconds = parse_delay(source_stats.async_delay)
    except DurationError as exc:
        return Lag(None, async_delay=source_stats.async_delay, findings=(finding(
            Finding.LAG_UNKNOWN, "the lag of %s is unknown: %s" % (where, exc)),))
    if seconds is None:
        return Lag(None, findings=(finding(
            Finding.LAG_UNKNOWN, "the lag of %s is unknown: the cluster reports no asyncDelay for the volume" % where),))
    return Lag(seconds, async_delay=source_stats.async_delay)


def rpo_findings(lag: Lag, rpo_seconds: Optional[float], where: str) -> List[Dict[str, str]]:
    """A declared RPO measured against the lag: a breach, or a lag that cannot be measured."""
    if rpo_seconds is None:
        return []
    if lag.lag_seconds is None:
        return [finding(Finding.LAG_UNKNOWN, "the RPO of %s (%s) cannot be checked: its lag is unknown" % (
            where, format_seconds(rpo_seconds)))]
    if lag.lag_seconds > rpo_seconds:
        return [finding(Finding.RPO_BREACHED, "%s is %s behind, over its RPO of %s" % (
            where, format_seconds(lag.lag_seconds), format_seconds(rpo_seconds)))]
    return []


def _running_replicated(schedules: Iterable["Existing"], volume_id: int) -> List["Existing"]:
    return [s for s in schedules if not s.deleted and not s.paused and s.replicate and volume_id in s.volume_ids]


def _boundary(t: float) -> float:
    """Element runs schedules at five-minute boundaries: t rounded up to one."""
    return math.ceil(t / GRANULARITY - 1e-9) * GRANULARITY


def next_run(schedule: Dict[str, Any], now: float) -> Optional[float]:
    """When a schedule (as ListSchedules lists it) runs next, as far as its listing tells: a Time Interval schedule one interval
    after its last run (or its startingDate), the day forms on their next day at hours:minutes UTC.
    None when it cannot be told (an interval schedule that never ran and gives no startingDate)."""
    kind = (schedule.get("attributes") or {}).get("frequency")
    if kind == TIME_INTERVAL:
        interval = interval_of(schedule)
        anchor = parse_time(schedule.get("lastRunTimeStarted")) or parse_time(schedule.get("startingDate"))
        if not interval or anchor is None:
            return None
        return _boundary(max(anchor + interval, now))
    if kind not in (DAYS_OF_WEEK, DAYS_OF_MONTH):
        return None
    try:
        at = int(schedule.get("hours") or 0) * 3600 + int(schedule.get("minutes") or 0) * 60
        weekdays = {int(d.get("day", -1)) for d in schedule.get("weekdays") or []}
        monthdays = {int(d) for d in schedule.get("monthdays") or []}
    except (TypeError, ValueError, AttributeError):
        return None
    day = datetime.fromtimestamp(now, timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    for _day in range(62):  # every day form recurs within two months
        matches = day.day in monthdays if kind == DAYS_OF_MONTH else (day.weekday() + 1) % 7 in weekdays
        if matches and day.timestamp() + at > now:
            return _boundary(day.timestamp() + at)
        day += timedelta(days=1)
    return None


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def protection_findings(lag: Lag, schedules: Optional[Iterable["Existing"]], volume_id: int,
                        now: Optional[float], where: str) -> List[Dict[str, str]]:
    """The lag findings of a SnapshotsOnly pair and those of its schedules. A pair that has no
    replicated snapshot yet, while a replicated schedule runs without failing and is not late, is
    waiting for its first one (not a failure until the schedule is late)."""
    found = schedule_findings(schedules, volume_id, now, where)
    own = list(lag.findings)
    if found or not any(f["code"] == Finding.NO_REPLICATED_SNAPSHOT for f in own):
        return own + found
    pending = first_snapshot_pending(schedules, volume_id, now, where)
    if pending is None:
        return own + found
    return [pending if f["code"] == Finding.NO_REPLICATED_SNAPSHOT else f for f in own]


def first_snapshot_pending(schedules: Optional[Iterable["Existing"]], volume_id: int, now: Optional[float],
                           where: str) -> Optional[Dict[str, str]]:
    """For a pair with no replicated snapshot yet: the finding that it waits for its first one,
    naming the next run, while a replicated schedule runs, did not fail and is not late; else None."""
    if schedules is None or schedule_findings(schedules, volume_id, now, where):
        return None
    running = _running_replicated(schedules, volume_id)
    if not running:
        return None
    known = [t for t in (next_run(s.raw, now) for s in running) if t is not None] if now is not None else []
    if known:
        when = "next run at %s" % _iso(min(known))
    else:  # an interval schedule that never ran and gives no startingDate: at most one interval away
        when = "next run within %s of the schedule's start" % format_seconds(
            min((interval_of(s.raw) or 0.0 for s in running), default=0.0) or None)
    return finding(Finding.FIRST_SNAPSHOT_PENDING, "%s is waiting for its first replicated snapshot (%s)" % (
        where, when))


def schedule_findings(schedules: Optional[Iterable["Existing"]], volume_id: int, now: Optional[float],
                      where: str) -> List[Dict[str, str]]:
    """Whether a SnapshotsOnly pair's source keeps being protected: a running schedule takes
    replicated snapshots of it, its last run did not fail, and it is not late. None: not read."""
    if schedules is None:
        return []
    running = _running_replicated(schedules, volume_id)
    if not running:
        return [finding(Finding.NO_REPLICATED_SCHEDULE, "no running schedule takes snapshots of %s with remote "
                        "replication: its recovery point only ages (element_snapshot_schedule, or the topology's "
                        "snapshots)" % where)]
    found = []
    for schedule in running:
        name = schedule.name or "ID %s" % schedule.schedule_id
        status = schedule.last_run_status
        if schedule.has_error or status not in (None, "", "Success"):
            found.append(finding(Finding.SCHEDULE_FAILED, "schedule %s of %s: its last run failed (%s)" % (
                name, where, status or "hasError")))
        started, interval = parse_time(schedule.last_run_started), interval_of(schedule.raw)
        starting = parse_time(schedule.starting_date)
        if now is not None and started is not None and interval and now - started > interval + 2 * GRANULARITY:
            found.append(finding(Finding.SCHEDULE_LATE, "schedule %s of %s last ran %s ago, more than its interval "
                                 "of %s" % (name, where, format_seconds(now - started), format_seconds(interval))))
        elif now is not None and started is None and starting is not None and interval \
                and now - starting > interval + 2 * GRANULARITY:
            found.append(finding(Finding.SCHEDULE_LATE, "schedule %s of %s has never run since it started %s ago, more "
                                 "than its interval of %s" % (name, where, format_seconds(now - starting),
                                                              format_seconds(interval))))
    return found
