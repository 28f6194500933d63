# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The lag of a pair per mode, the recovery point of SnapshotsOnly pairs, and RPO findings."""

from __future__ import annotations

import pytest

from ansible_collections.element.replication.plugins.module_utils._element import Finding
from ansible_collections.element.replication.plugins.module_utils._lag import (
    newest_arrived, pair_lag, protection_findings, rpo_findings)
from ansible_collections.element.replication.plugins.module_utils._state import Existing, Snapshot, VolumeStats

NOW = 1_800_000_000.0


def stats(delay, volume_id=10):
    return VolumeStats(volume_id=volume_id, async_delay=delay, timestamp=NOW)


def snap(snapshot_id, age, status="done", volume_id=40):
    return Snapshot(snapshot_id, volume_id, "s%d" % snapshot_id, NOW - age, "t%d" % snapshot_id, status, "u")


def codes(lag):
    return [f["code"] for f in lag.findings]


def test_async_lag_is_the_source_s_async_delay():
    lag = pair_lag("Async", "Active", "Active", stats("PT7.5S"), None, NOW, "db01 on prod")
    assert (lag.lag_seconds, lag.async_delay, lag.findings) == (7.5, "PT7.5S", ())


def test_sync_active_is_zero_and_sync_paused_falls_behind():
    assert pair_lag("Sync", "Active", "Active", stats("PT3S"), None, NOW, "x").lag_seconds == 0
    assert pair_lag("Sync", "PausedManual", "PausedManualRemote", stats("PT90S"), None, NOW, "x").lag_seconds == 90


def test_snapshots_only_recovery_point_is_the_newest_arrived_snapshot():
    newest = newest_arrived([snap(1, 7200), snap(2, 600), snap(3, 10, status="syncing")])
    lag = pair_lag("SnapshotsOnly", "Active", "Active", stats("PT0S"), newest[40], NOW, "arch on prod")
    assert lag.lag_seconds == 600
    assert lag.recovery_point == {"name": "s2", "create_time": "t2", "age_seconds": 600}


def test_snapshots_only_without_a_snapshot_protects_nothing():
    lag = pair_lag("SnapshotsOnly", "Active", "Active", stats("PT0S"), None, NOW, "arch on prod")
    assert lag.lag_seconds is None and codes(lag) == ["no_replicated_snapshot"]
    assert "nothing is protected" in lag.findings[0]["text"]


def test_unreadable_or_missing_delays_are_findings_not_crashes():
    assert codes(pair_lag("Async", "Active", "Active", stats("five seconds"), None, NOW, "x")) == ["lag_unknown"]
    assert codes(pair_lag("Async", "Active", "Active", None, None, NOW, "x")) == ["lag_unknown"]
    assert codes(pair_lag("Async", "Active", "Active", stats(None), None, NOW, "x")) == ["lag_unknown"]


def test_rpo_breach_and_unknown_lag():
    behind = pair_lag("Async", "Active", "Active", stats("PT2H"), None, NOW, "db01 on prod")
    assert rpo_findings(behind, None, "db01 on prod") == []
    assert rpo_findings(behind, 4 * 3600, "db01 on prod") == []
    [breach] = rpo_findings(behind, 900, "db01 on prod")
    assert breach == {"code": "rpo_breached", "text": "db01 on prod is 2h behind, over its RPO of 15m"}
    unknown = pair_lag("Async", "Active", "Active", None, None, NOW, "db01 on prod")
    assert [f["code"] for f in rpo_findings(unknown, 60, "db01 on prod")] == ["lag_unknown"]


# ---- a SnapshotsOnly pair waiting for its first replicated snapshot -----------------------------

def hourly(**fields):
    schedule = {"scheduleID": 5, "scheduleName": "hourly", "hours": 1, "minutes": 0, "paused": False,
                "attributes": {"frequency": "Time Interval"}, "lastRunStatus": "Success", "lastRunTimeStarted": None,
                "scheduleInfo": {"volumeID": 10, "enableRemoteReplication": True}}
    schedule.update(fields)
    return Existing.from_api(schedule)


def protection(schedules, now=NOW):
    lag = pair_lag("SnapshotsOnly", "Active", "Active", stats("PT0S"), None, now, "arch on prod")
    return protection_findings(lag, schedules, 10, now, "arch on prod")


def test_a_running_schedule_that_is_not_late_makes_the_first_snapshot_pending():
    ran = "2027-01-15T08:00:00Z"  # NOW is 2027-01-15T08:00:00Z; the next run is one hour later
    found = protection([hourly(lastRunTimeStarted=ran)], now=NOW + 600)
    assert [f["code"] for f in found] == [Finding.FIRST_SNAPSHOT_PENDING]
    assert found[0]["text"] == ("arch on prod is waiting for its first replicated snapshot "
                                "(next run at 2027-01-15T09:00:00Z)")


def test_a_schedule_that_never_ran_is_pending_within_its_interval_or_from_its_starting_date():
    assert protection([hourly()])[0]["text"].endswith("(next run within 1h of the schedule's start)")
    started = protection([hourly(startingDate="2027-01-15T07:40:00Z")])
    assert started[0]["text"].endswith("(next run at 2027-01-15T08:40:00Z)")
    weekly = hourly(attributes={"frequency": "Days Of Week"}, hours=22, minutes=30,
                    weekdays=[{"day": 1, "offset": 1}])  # Mondays; NOW is a Friday
    assert protection([weekly])[0]["text"].endswith("(next run at 2027-01-18T22:30:00Z)")


@pytest.mark.parametrize("schedules, expected", [
    ([], ["no_replicated_snapshot", "no_replicated_schedule"]),
    ([hourly(paused=True)], ["no_replicated_snapshot", "no_replicated_schedule"]),
    ([hourly(lastRunStatus="Failed")], ["no_replicated_snapshot", "schedule_failed"]),
    ([hourly(lastRunTimeStarted="2027-01-15T05:00:00Z")], ["no_replicated_snapshot", "schedule_late"]),
    ([hourly(startingDate="2027-01-15T05:00:00Z")], ["no_replicated_snapshot", "schedule_late"]),
    (None, ["no_replicated_snapshot"]),
], ids=["none", "paused", "failed", "late", "never-ran-since-start", "not-read"])
def test_no_snapshot_stays_a_failure_when_the_schedule_does_not_run_fails_or_is_late(schedules, expected):
    assert [f["code"] for f in protection(schedules)] == expected


def test_a_pair_that_has_its_snapshot_is_not_pending():
    lag = pair_lag("SnapshotsOnly", "Active", "Active", stats("PT0S"), snap(1, 60, volume_id=10), NOW, "arch on prod")
    assert protection_findings(lag, [hourly()], 10, NOW, "arch on prod") == []
