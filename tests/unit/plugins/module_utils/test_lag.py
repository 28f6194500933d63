# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The lag of a pair per mode, the recovery point of SnapshotsOnly pairs, and RPO findings."""

from __future__ import annotations

from ansible_collections.element.replication.plugins.module_utils._lag import newest_arrived, pair_lag, rpo_findings
from ansible_collections.element.replication.plugins.module_utils._state import Snapshot, VolumeStats

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
