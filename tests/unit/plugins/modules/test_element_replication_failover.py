# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""element_replication_failover's main(), in-process, against two in-memory clusters. The waits
(drain, catch-up of a declared pause, settle) run on a virtual clock through the waiter's seam,
so a timeout of minutes takes no time and the polls are counted."""

from __future__ import annotations

import functools
import json
from unittest import mock

import pytest

from ansible_collections.element.replication.plugins.module_utils._plan import Waiter
from ansible_collections.element.replication.plugins.modules import element_replication_failover
from ansible_collections.element.replication.tests.unit.plugins.modules.fake_element import replicating
from ansible_collections.element.replication.tests.unit.plugins.modules.utils import (
    PASSWORD, PEER_PASSWORD, ModuleRun, connection)

RW = "readWrite"
RT = "replicationTarget"
NOW = "2026-12-06T12:00:00Z"


class VirtualClock:
    """The waiter's clock and sleep: a sleep moves the clock, and is recorded."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock():
    found = VirtualClock()
    waiter = functools.partial(Waiter, clock=found.clock, sleep=found.sleep)
    with mock.patch.object(element_replication_failover, "Waiter", waiter):
        yield found


@pytest.fixture
def world():
    network, prod, dr = replicating("db01", "db02")
    return ModuleRun(network), prod, dr


def args(prod, dr, **extra):
    extra.setdefault("pairs", [{"volume": "db01"}, {"volume": "db02"}])
    return dict(connection(prod), peer=connection(dr, password=PEER_PASSWORD), wait_timeout=10, **extra)


def access(prod, dr):
    return [(prod.volumes[11 + i]["access"], dr.volumes[21 + i]["access"]) for i in range(2)]


def caught_up(cluster, *volume_ids, delay="00:00:00.2"):
    for volume_id in volume_ids:
        cluster.stats[volume_id] = {"asyncDelay": delay, "timestamp": NOW}


def test_a_planned_failover_demotes_then_promotes_and_reports_when_the_volumes_were_writable(world, clock):
    run, prod, dr = world
    caught_up(prod, 11, 12)
    result = run(element_replication_failover, args(prod, dr, primary="peer"))
    assert result["changed"] is True and not result.get("failed"), result
    assert run.mutating() == [("prod", "ModifyVolumes"), ("dr", "ModifyVolumes")]
    assert [(a["cluster"], a["params"]) for a in result["actions"]] == [
        ("prod", {"volumeIDs": [11, 12], "access": RT}), ("dr", {"volumeIDs": [21, 22], "access": RW})]
    assert access(prod, dr) == [(RT, RW)] * 2
    assert result["writable_seconds"] is not None and result["writable_seconds"] >= 0
    assert [p["lag_seconds"] for p in result["volume_pairs"]] == [0.2, 0.2]
    assert clock.sleeps == [], "caught up at the first read: no poll"
    again = run(element_replication_failover, args(prod, dr, primary="peer"))
    assert again["changed"] is False and run.mutating() == [] and again["writable_seconds"] is None


def test_a_pair_that_does_not_drain_refuses_the_failover_after_wait_timeout(world, clock):
    run, prod, dr = world
    caught_up(prod, 11)
    caught_up(prod, 12, delay="00:00:30")
    result = run(element_replication_failover, args(prod, dr, primary="peer"))
    assert result["failed"] is True
    msg = result["msg"]
    assert "planned failover to dr refused, nothing was changed" in msg, msg
    assert "this pair did not drain to a lag of at most 1s within 10 s" in msg, msg
    assert "pair 2 (volume db02): 30s behind" in msg and "db01" not in msg.split("set force=true")[1], msg
    assert run.mutating() == [] and access(prod, dr) == [(RW, RT)] * 2
    assert clock.sleeps == [2.0] * 5, "polled every interval until the timeout, then stopped"
    listed = [m for name, m in run.calls() if name == "prod" and m == "ListVolumeStats"]
    assert len(listed) == 6, "one read with the first read of the clusters, then one per poll"


def test_a_pair_that_drains_while_waited_for_moves(world, clock):
    run, prod, dr = world
    caught_up(prod, 11, 12)
    delays = iter(["00:00:09", "00:00:04", "00:00:00.5"])
    listed = prod.ListVolumeStats

    def draining():
        caught_up(prod, 12, delay=next(delays))
        return listed()
    prod.ListVolumeStats = draining
    result = run(element_replication_failover, args(prod, dr, primary="peer"))
    assert result["changed"] is True and not result.get("failed"), result
    assert clock.sleeps == [2.0, 2.0]
    assert access(prod, dr) == [(RT, RW)] * 2
    assert result["volume_pairs"][1]["lag_seconds"] == 0.5


def test_a_declared_pause_that_does_not_catch_up_is_paused_again_and_refused(world, clock):
    run, prod, dr = world
    caught_up(prod, 11, 12)
    prod.ModifyVolumePair(volumeID=12, pausedManual=True)
    prod.resumed_state = "ResumingDataTransfer"  # resumed, it never becomes Active
    result = run(element_replication_failover, args(
        prod, dr, primary="peer", pairs=[{"volume": "db01"}, {"volume": "db02", "paused": True}]))
    assert result["failed"] is True
    msg = result["msg"]
    assert "planned failover to dr refused, nothing was moved" in msg, msg
    assert "it did not become Active within 10 s (state ResumingDataTransfer on prod" in msg, msg
    assert "it is paused again as declared" in msg
    assert run.mutating() == [("prod", "ModifyVolumePair"), ("prod", "ModifyVolumePair")]
    assert [a["params"]["pausedManual"] for a in result["actions"]] == [False, True]
    assert prod.volumes[12]["volumePairs"][0]["remoteReplication"]["state"] == "PausedManual"
    assert access(prod, dr) == [(RW, RT)] * 2
    assert clock.sleeps == [2.0] * 5


def test_pairs_that_do_not_settle_fail_after_wait_timeout_once_moved(world, clock):
    run, prod, dr = world
    caught_up(prod, 11, 12)
    prod.moved_state = dr.moved_state = "ResumingConnected"  # never Active after the move
    result = run(element_replication_failover, args(prod, dr, primary="peer"))
    assert result["failed"] is True
    msg = result["msg"]
    assert msg.startswith("2 of 2 pairs failed: "), msg
    assert ("did not reach its steady state (Active, or paused on dr as declared) within 10 s "
            "(state ResumingConnected on prod, ResumingConnected on dr)") in msg, msg
    assert access(prod, dr) == [(RT, RW)] * 2, "the move itself was made"
    assert clock.sleeps == [2.0] * 5
    assert result["writable_seconds"] is not None


def test_without_wait_nothing_is_polled(world, clock):
    run, prod, dr = world
    caught_up(prod, 11, 12)
    prod.moved_state = dr.moved_state = "ResumingConnected"
    result = run(element_replication_failover, args(prod, dr, primary="peer", wait=False))
    assert result["changed"] is True and not result.get("failed"), result
    assert clock.sleeps == []


def test_a_move_stopped_after_its_demote_is_finished_by_a_plain_rerun(world, clock):
    run, prod, dr = world
    prod.ModifyVolumes(volumeIDs=[11, 12], access=RT)  # the controller died after the demote
    for cluster in (prod, dr):
        for volume in cluster.volumes.values():
            volume["volumePairs"][0]["remoteReplication"]["state"] = "PausedMisconfigured"
    dr.resumed_state = "Active"
    dr.moved_state = prod.moved_state = "Active"
    result = run(element_replication_failover, args(prod, dr, primary="peer"))
    assert result["changed"] is True and not result.get("failed"), result
    assert run.mutating() == [("dr", "ModifyVolumes")]
    assert access(prod, dr) == [(RT, RW)] * 2
    assert all("finished an interrupted failover" in p["changes"][0] for p in result["volume_pairs"])


def test_a_pause_made_by_hand_is_refused(world, clock):
    run, prod, dr = world
    caught_up(prod, 11, 12)
    prod.ModifyVolumePair(volumeID=12, pausedManual=True)
    result = run(element_replication_failover, args(prod, dr, primary="peer"))
    assert result["failed"] is True and "state PausedManual on prod" in result["msg"], result["msg"]
    assert "set force=true" in result["msg"] and run.mutating() == []


def test_an_unplanned_failover_promotes_before_it_marks_and_reports_the_data_at_risk(world, clock):
    run, prod, dr = world
    prod.offline = True
    for volume in dr.volumes.values():
        volume["volumePairs"][0]["remoteReplication"]["state"] = "PausedDisconnected"
    dr.stats = {21: {"asyncDelay": "00:00:03", "timestamp": NOW}, 22: {"asyncDelay": "00:01:00", "timestamp": NOW}}
    result = run(element_replication_failover, args(prod, dr, primary="peer", type="unplanned", probe_timeout=1.5))
    assert result["changed"] is True and not result.get("failed"), result
    assert run.mutating() == [("dr", "ModifyVolumes"), ("dr", "ModifyVolumes")]
    assert [a["params"] for a in result["actions"]] == [
        {"volumeIDs": [21, 22], "access": RW},
        {"volumeIDs": [21, 22], "attributes": {"element_replication_unplanned_failover": "dr"}}]
    assert [v["access"] for v in dr.volumes.values()] == [RW, RW]
    assert [p["data_at_risk_seconds"] for p in result["volume_pairs"]] == [3.0, 60.0]
    assert "could not be reached and was not changed" in result["reconcile_later"][0]
    assert result["writable_seconds"] is not None
    probe = [c for c in run.clients if c.cluster is prod][0]
    assert probe.calls == [("GetClusterInfo", {})], "one probe of the lost cluster, nothing else"


def test_the_data_at_risk_of_a_snapshots_only_pair_is_the_age_of_its_newest_replicated_snapshot(clock):
    network, prod, dr = replicating("db01", mode="SnapshotsOnly")
    run = ModuleRun(network)
    prod.offline = True
    dr.stats = {21: {"asyncDelay": None, "timestamp": NOW}}
    dr.snapshots = [
        {"snapshotID": 5, "volumeID": 21, "name": "older", "createTime": "2026-12-06T10:00:00Z", "status": "done",
         "snapshotUUID": "s5"},
        {"snapshotID": 9, "volumeID": 21, "name": "newest", "createTime": "2026-12-06T11:50:00Z", "status": "done",
         "snapshotUUID": "s9"}]
    result = run(element_replication_failover, args(prod, dr, primary="peer", type="unplanned", pairs=[{"volume": "db01"}]))
    assert result["changed"] is True and not result.get("failed"), result
    assert result["volume_pairs"][0]["data_at_risk_seconds"] == 600.0


def test_an_unplanned_failover_is_refused_while_the_lost_cluster_answers_its_probe(world, clock):
    run, prod, dr = world
    result = run(element_replication_failover, args(prod, dr, primary="peer", type="unplanned"))
    assert result["failed"] is True and "cluster prod (10.0.0.1:443) answers" in result["msg"], result["msg"]
    assert run.mutating() == []


def test_check_mode_makes_no_change_and_no_secret_is_returned(world, clock):
    run, prod, dr = world
    caught_up(prod, 11, 12)
    result = run(element_replication_failover, args(prod, dr, primary="peer"), check_mode=True, diff=True)
    assert result["changed"] is True and run.mutating() == []
    assert [a["method"] for a in result["actions"]] == ["ModifyVolumes", "ModifyVolumes"]
    assert result["diff"]["after"]["volume_pairs"][0]["source_clusters"] == ["dr"]
    text = json.dumps(result)
    assert PASSWORD not in text and PEER_PASSWORD not in text
