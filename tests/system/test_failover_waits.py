# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The waits and their timeouts against the simulator (issue 23 item 4): the planned failover's
drain (max_lag), a declared pause's catch-up, and the settle waits of the failover, the cluster
pair and the volume pair. Timeouts are a few seconds; the simulator's lag, sync and connect
delays make the clusters slow or never ready."""

from __future__ import annotations

import pytest

from helpers import clear_calls, mutating, pair_clusters_raw, replicate_named, volume_named

VOLUMES = ("vol-0001", "vol-0002")


def failover(primary="peer", wait_timeout=3, pairs=None, **params):
    return {"name": "failover", "element.replication.element_replication_failover": dict(
        primary=primary, pairs=pairs or [{"volume": v} for v in VOLUMES], wait_timeout=wait_timeout, **params)}


@pytest.fixture
def replicating(sim):
    return replicate_named(sim.cluster("prod"), sim.cluster("dr"), VOLUMES)


def accesses(prod, dr):
    return [(volume_named(prod, n)["access"], volume_named(dr, n)["access"]) for n in VOLUMES]


def test_a_pair_that_does_not_drain_refuses_the_planned_failover(replicating, ansible):
    prod, dr = replicating
    prod.settings(lag_drain_rate=0)  # the backlog never drains
    prod.set_lag(volume_named(prod, "vol-0002")["volumeID"], 600)
    run = ansible.play([failover(max_lag=1)])
    assert run.rc != 0
    msg = run.task("failover")["msg"]
    assert "planned failover to dr refused, nothing was changed: this pair did not drain to a lag of at most 1s " \
           "within 3 s" in msg, msg
    assert "pair 2 (volume vol-0002): 10m behind" in msg, msg
    assert mutating(prod) == [] and mutating(dr) == []
    assert accesses(prod, dr) == [("readWrite", "replicationTarget")] * 2
    polls = [c for c in prod.calls() if c["method"] == "ListVolumeStats"]
    assert 2 <= len(polls) <= 4, "polled every 2 s until the 3 s timeout"


def test_a_pair_that_drains_in_time_moves(replicating, ansible):
    prod, dr = replicating
    prod.settings(lag_drain_rate=10)
    prod.set_lag(volume_named(prod, "vol-0002")["volumeID"], 15)
    run = ansible.play([failover(wait_timeout=30)])
    assert run.rc == 0, run
    assert accesses(prod, dr) == [("replicationTarget", "readWrite")] * 2
    assert run.task("failover")["volume_pairs"][1]["lag_seconds"] <= 1


def test_moved_pairs_that_do_not_become_active_fail_after_wait_timeout(replicating, ansible):
    prod, dr = replicating
    prod.settings(volume_pair_sync_delay=600)  # a moved pair stays ResumingConnected
    prod.advance_clock(1200)  # the pairs made before are Active
    run = ansible.play([failover()])
    assert run.rc != 0
    msg = run.task("failover")["msg"]
    assert msg.startswith("2 of 2 pairs failed: "), msg
    assert "did not reach its steady state (Active, or paused on dr as declared) within 3 s (state " \
           "ResumingConnected on prod, ResumingConnected on dr)" in msg, msg
    assert accesses(prod, dr) == [("replicationTarget", "readWrite")] * 2, "moved; only the wait failed"
    prod.settings(volume_pair_sync_delay=0)
    clear_calls(prod, dr)
    again = ansible.play([failover()])
    assert again.rc == 0 and again.task("failover")["changed"] is False and mutating(prod) == mutating(dr) == []


def test_a_declared_pause_that_does_not_catch_up_is_paused_again_and_refused(replicating, ansible):
    prod, dr = replicating
    prod.call("ModifyVolumePair", volumeID=volume_named(prod, "vol-0002")["volumeID"], pausedManual=True)
    prod.settings(volume_pair_sync_delay=600)  # resumed, it stays ResumingConnected
    prod.advance_clock(1200)
    clear_calls(prod, dr)
    run = ansible.play([failover(pairs=[{"volume": "vol-0001"}, {"volume": "vol-0002", "paused": True}])])
    assert run.rc != 0
    msg = run.task("failover")["msg"]
    assert "refused, nothing was moved" in msg and "did not become Active within 3 s" in msg, msg
    assert [(c["method"], c["params"]["pausedManual"]) for c in mutating(prod)] == [
        ("ModifyVolumePair", False), ("ModifyVolumePair", True)]
    assert mutating(dr) == [] and accesses(prod, dr) == [("readWrite", "replicationTarget")] * 2
    assert volume_named(prod, "vol-0002")["volumePairs"][0]["remoteReplication"]["state"] == "PausedManual"


def test_a_cluster_pair_that_does_not_connect_fails_after_wait_timeout(sim, ansible):
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    prod.settings(cluster_pair_connect_delay=600)
    run = ansible.play([{"name": "pair", "element.replication.element_cluster_pair": {"wait_timeout": 3}}])
    assert run.rc != 0
    msg = run.task("pair")["msg"]
    assert "the cluster pair between prod and dr did not become Connected within 3 s" in msg, msg
    assert prod.cluster_pairs() and dr.cluster_pairs(), "the pairing itself was made"


def test_a_volume_pair_that_does_not_become_active_fails_after_wait_timeout(sim, ansible):
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    pair_clusters_raw(prod, dr)
    prod.settings(volume_pair_sync_delay=600)
    run = ansible.play([{"name": "pair", "element.replication.element_volume_pair": {
        "volume": "vol-0001", "wait": True, "wait_timeout": 3}}])
    assert run.rc != 0
    msg = run.task("pair")["msg"]
    assert "did not reach Active within 3 s (state ResumingConnected on prod, ResumingConnected on dr)" in msg, msg
    assert volume_named(dr, "vol-0001")["access"] == "replicationTarget", "the pairing itself was made"
