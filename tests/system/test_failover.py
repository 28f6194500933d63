# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""element_replication_failover: planned failover and back, refusals, unplanned failover with the
source cluster offline, reprotect when it returns, and a failover interrupted half-way."""

from __future__ import annotations

import pytest

from helpers import clear_calls, mutating, pair_clusters_raw, pair_volumes_raw, replicate_named, volume_named

VOLUMES = ("vol-0001", "vol-0002", "vol-0003")


def failover(primary, name="failover", **params):
    return {"name": name, "element.replication.element_replication_failover": dict(
        primary=primary, pairs=[{"volume": v} for v in VOLUMES], wait_timeout=30, **params)}


@pytest.fixture
def replicating(sim):
    """prod replicates vol-0001..3 to dr, Active."""
    return replicate_named(sim.cluster("prod"), sim.cluster("dr"), VOLUMES)


def direction(prod, dr):
    """{volume: (access on prod, access on dr, state on prod, state on dr)} for the test volumes."""
    found = {}
    for name in VOLUMES:
        a, b = volume_named(prod, name), volume_named(dr, name)
        found[name] = (a["access"], b["access"], a["volumePairs"][0]["remoteReplication"]["state"],
                       b["volumePairs"][0]["remoteReplication"]["state"])
    return found


FAILED_OVER = ("replicationTarget", "readWrite", "Active", "Active")
MARK = "element_replication_unplanned_failover"
NORMAL = ("readWrite", "replicationTarget", "Active", "Active")


def test_planned_failover_and_back(replicating, ansible):
    prod, dr = replicating
    check = ansible.play([failover("peer")], check=True, diff=True)
    assert check.rc == 0, check
    methods = [a["method"] for a in check.task("failover")["actions"]]
    assert methods == ["ModifyVolumes", "ModifyVolumes"], "access changes alone: no pause to mistake for a hand's"
    assert check.task("failover")["diff"]["after"]["volume_pairs"][0]["source_clusters"] == ["dr"]
    assert mutating(prod) == [] and mutating(dr) == []
    assert set(direction(prod, dr).values()) == {NORMAL}

    run = ansible.play([failover("peer")])
    assert run.rc == 0, run
    assert set(direction(prod, dr).values()) == {FAILED_OVER}
    demote = [a for a in run.task("failover")["actions"] if a["method"] == "ModifyVolumes"]
    assert [(a["cluster"], a["params"]["access"]) for a in demote] == [("prod", "replicationTarget"), ("dr", "readWrite")]
    assert all(p["source_clusters"] == ["dr"] for p in run.task("failover")["volume_pairs"])
    assert run.task("failover")["writable_seconds"] > 0

    clear_calls(prod, dr)
    again = ansible.play([failover("peer")])
    assert again.rc == 0 and again.task("failover")["changed"] is False
    assert mutating(prod) == [] and mutating(dr) == []

    back = ansible.play([failover("local")])
    assert back.rc == 0, back
    assert set(direction(prod, dr).values()) == {NORMAL}
    assert ansible.play([failover("local")]).task("failover")["changed"] is False


@pytest.mark.parametrize("trouble", ["paused", "disconnected", "split"])
def test_planned_failover_is_refused_unless_every_pair_is_healthy(replicating, ansible, trouble):
    prod, dr = replicating
    if trouble == "paused":
        prod.call("ModifyVolumePair", volumeID=volume_named(prod, "vol-0002")["volumeID"], pausedManual=True)
        expected = "state PausedManual on prod"
    elif trouble == "disconnected":
        prod.set_link("dr", up=False)  # the module still reaches both clusters; they do not reach each other
        expected = "cluster pair not connected"
    else:
        dr.call("ModifyVolume", volumeID=volume_named(dr, "vol-0001")["volumeID"], access="readWrite")
        expected = "pair 1 (volume vol-0001): both vol-0001 on dr / vol-0001 on prod are readWrite"
    clear_calls(prod, dr)
    before = direction(prod, dr)
    run = ansible.play([failover("peer")])
    assert run.rc != 0
    msg = run.task("failover")["msg"]
    assert "planned failover to dr refused, nothing was changed" in msg and expected in msg, msg
    assert mutating(prod) == [] and mutating(dr) == []
    assert direction(prod, dr) == before


def unplanned_failover_to_dr(prod, dr, ansible):
    """prod is lost; dr takes over; prod returns with its volumes still readWrite (split)."""
    prod.set_offline()
    run = ansible.play([failover("peer", type="unplanned")])
    assert run.rc == 0, run
    result = run.task("failover")
    assert all(a["cluster"] == "dr" for a in result["actions"])
    assert "could not be reached and was not changed" in result["reconcile_later"][0]
    assert all(volume_named(dr, name)["access"] == "readWrite" for name in VOLUMES)
    again = ansible.play([failover("peer", type="unplanned")])
    assert again.rc == 0 and again.task("failover")["changed"] is False
    prod.set_online()
    assert {v[:2] for v in direction(prod, dr).values()} == {("readWrite", "readWrite")}


def test_unplanned_failover_then_reprotect_then_failback(replicating, ansible):
    prod, dr = replicating
    unplanned_failover_to_dr(prod, dr, ansible)
    assert {volume_named(dr, n)["attributes"].get(MARK) for n in VOLUMES} == {"dr"}
    reprotect = ansible.play([failover("peer")])  # dr stays the source; prod becomes its target
    assert reprotect.rc == 0, reprotect
    assert set(direction(prod, dr).values()) == {FAILED_OVER}
    assert not any(MARK in volume_named(c, n)["attributes"] for c in (prod, dr) for n in VOLUMES), \
        "the mark goes once the split is resolved"
    back = ansible.play([failover("local")])
    assert back.rc == 0, back
    assert set(direction(prod, dr).values()) == {NORMAL}


def test_failback_straight_after_an_unplanned_failover_keeps_the_survivors_writes(replicating, ansible):
    prod, dr = replicating
    unplanned_failover_to_dr(prod, dr, ansible)
    back = ansible.play([failover("local")])
    assert back.rc == 0, back
    methods = [(a["cluster"], a["method"], a["params"].get("access")) for a in back.task("failover")["actions"]]
    # prod first becomes dr's target (dr's writes flow back), and only then the source again.
    assert methods.index(("prod", "ModifyVolumes", "replicationTarget")) < methods.index(("prod", "ModifyVolumes", "readWrite"))
    assert methods.index(("dr", "ModifyVolumes", "replicationTarget")) < methods.index(("prod", "ModifyVolumes", "readWrite"))
    assert set(direction(prod, dr).values()) == {NORMAL}
    assert ansible.play([failover("local")]).task("failover")["changed"] is False


def test_the_mark_keeps_what_other_tools_keep_in_the_attributes(replicating, ansible):
    prod, dr = replicating
    cinder = {"uuid": "3f0c6e1e-cinder", "os_volume_type": "gold"}
    dr.call("ModifyVolume", volumeID=volume_named(dr, "vol-0002")["volumeID"], attributes=cinder)
    prod.set_offline()
    run = ansible.play([failover("peer", type="unplanned")])
    assert run.rc == 0, run
    assert volume_named(dr, "vol-0002")["attributes"] == dict(cinder, **{MARK: "dr"})
    assert volume_named(dr, "vol-0001")["attributes"] == {MARK: "dr"}
    prod.set_online()
    assert ansible.play([failover("peer")]).rc == 0  # reprotect
    assert volume_named(dr, "vol-0002")["attributes"] == cinder


def test_unplanned_failover_is_refused_while_the_source_answers(replicating, ansible):
    prod, dr = replicating
    run = ansible.play([failover("peer", type="unplanned")])
    assert run.rc != 0 and "use type=planned" in run.task("failover")["msg"]
    assert mutating(prod) == [] and mutating(dr) == []


def test_failover_interrupted_half_way_is_finished_by_a_rerun(replicating, ansible):
    prod, dr = replicating
    dr.add_fault("ModifyVolumes", "error", error="xInvalidParameter")  # the promote step fails (not transient)
    run = ansible.play([failover("peer")])
    assert run.rc != 0
    assert "ModifyVolumes" in run.task("failover")["msg"] and "xInvalidParameter" in run.task("failover")["msg"]
    assert {v[:2] for v in direction(prod, dr).values()} == {("replicationTarget", "replicationTarget")}, \
        "the old source is demoted first, so nothing is writable on both sides"
    rerun = ansible.play([failover("peer")])
    assert rerun.rc == 0, rerun
    assert set(direction(prod, dr).values()) == {FAILED_OVER}


def test_a_failover_that_would_leave_a_smaller_target_is_refused_before_any_change(sim, ansible):
    """prod vol-0001 (2 GiB) replicates to the larger dr vol-0002 (3 GiB): after a failover vol-0001 would be
    the smaller target, and Element would pause the pair (PausedVolumeSizeMismatch)."""
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    pair_clusters_raw(prod, dr)
    pair_volumes_raw(prod, dr, volume_named(prod, "vol-0001")["volumeID"], volume_named(dr, "vol-0002")["volumeID"])
    clear_calls(prod, dr)
    run = ansible.play([{"name": "failover", "element.replication.element_replication_failover": dict(
        primary="peer", pairs=[{"volume": "vol-0001", "peer_volume": "vol-0002"}], wait_timeout=30)}])
    message = run.task("failover")["msg"]
    assert run.rc != 0 and "PausedVolumeSizeMismatch" in message and "grow vol-0001" in message, message
    assert mutating(prod) == [] and mutating(dr) == []
    assert (volume_named(prod, "vol-0001")["access"], volume_named(dr, "vol-0002")["access"]) == (
        "readWrite", "replicationTarget")
