# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The dr_failover role through playbooks/dr_failover.yml and dr_failback.yml, against the
simulator: planned failover and back (a second run changes nothing), refusals before any change,
an unplanned failover with the source cluster offline and the failback when it returns, and a
failover that fails half-way and is finished by a re-run. Every test checks the access and the
replication state of the volumes on both clusters, and the call logs."""

from __future__ import annotations

import pytest

from helpers import (access_and_state, changed_tasks, clear_calls, collection_playbook, item_results, mutating,
                     pair_clusters_raw, pair_volumes_raw, scan_for_secrets, task_results, topology_inventory,
                     volume_named)

TOPOLOGY = [
    {"source": "prod", "target": "dr", "volumes": [
        {"volume": "vol-0001", "mode": "Sync"}, {"volume": "vol-0002"}, {"volume": "vol-0003", "paused": False}]},
    {"source": "edge", "target": "dr", "volumes": [{"volume": "vol-0001", "peer_volume": "vol-0005"}]},
]
PROD = [("vol-0001", "vol-0001"), ("vol-0002", "vol-0002"), ("vol-0003", "vol-0003")]
EDGE = [("vol-0001", "vol-0005")]
NORMAL = ("readWrite", "replicationTarget", "Active", "Active")
FAILED_OVER = ("replicationTarget", "readWrite", "Active", "Active")
MAIN = "Fail over or back"
STOP = "Stop where an entry failed"


@pytest.fixture
def replicating(sim):
    """prod replicates vol-0001..3 to dr, edge its vol-0001 to dr's vol-0005, all Active (set up
    through the raw API: these tests are about moving the direction)."""
    prod, dr, edge = (sim.cluster(n) for n in ("prod", "dr", "edge"))
    for source, couples in ((prod, PROD), (edge, EDGE)):
        pair_clusters_raw(source, dr)
        for a, b in couples:
            pair_volumes_raw(source, dr, volume_named(source, a)["volumeID"], volume_named(dr, b)["volumeID"])
    clear_calls(prod, dr, edge)
    return prod, dr, edge


@pytest.fixture
def playbook(ansible, sim, tmp_path):
    return collection_playbook(ansible, topology_inventory(sim, tmp_path / "inventory.yml", TOPOLOGY,
                                                           ansible_pipelining=True))


def direction(prod, dr, edge):
    return {"prod": access_and_state(prod, dr, PROD), "edge": access_and_state(edge, dr, EDGE)}


def everywhere(value, *entries):
    return {entry: {couple: value for couple in dict(prod=PROD, edge=EDGE)[entry]} for entry in entries}


def summary(run):
    return [line for r in task_results(run, "Show what changed and what to reconcile later") if r["status"] == "ok"
            for line in r["result"]["msg"]]


def test_planned_failover_and_back(replicating, playbook, sim):
    prod, dr, edge = replicating
    check = playbook("dr_failover.yml", check=True, diff=True)
    assert check.rc == 0, check
    assert all(mutating(c) == [] for c in (prod, dr, edge))
    assert direction(prod, dr, edge) == everywhere(NORMAL, "prod", "edge")
    planned = item_results(check, MAIN)
    assert sorted(i["dr_failover_entry"]["label"] for i in planned if i["changed"]) == ["edge -> dr", "prod -> dr"]

    # One entry, selected by name: only its volumes move.
    first = playbook("dr_failover.yml", dr_failover_entries=["prod:dr"])
    assert first.rc == 0, first
    assert direction(prod, dr, edge) == {**everywhere(FAILED_OVER, "prod"), **everywhere(NORMAL, "edge")}
    assert "prod -> dr: failover: vol-0001 -> vol-0001: failed over: dr is now the source, prod the target" in summary(first)
    # The old source is demoted before the new one is promoted, in one call per cluster.
    assert [c["params"] for c in mutating(prod) if c["method"] == "ModifyVolumes"] == [
        {"volumeIDs": [volume_named(prod, a)["volumeID"] for a, _ in PROD], "access": "replicationTarget"}]

    # Every entry: the one already failed over is left alone.
    clear_calls(prod, dr, edge)
    everything = playbook("dr_failover.yml")
    assert everything.rc == 0, everything
    assert direction(prod, dr, edge) == everywhere(FAILED_OVER, "prod", "edge")
    assert mutating(prod) == [] and [c["params"]["access"] for c in mutating(edge) if c["method"] == "ModifyVolumes"] == [
        "replicationTarget"]
    results = {i["dr_failover_entry"]["label"]: i["changed"] for i in item_results(everything, MAIN)}
    assert results == {"prod -> dr": False, "edge -> dr": True}

    clear_calls(prod, dr, edge)
    again = playbook("dr_failover.yml")
    assert again.rc == 0, again
    assert changed_tasks(again) == [] and all(mutating(c) == [] for c in (prod, dr, edge))

    back = playbook("dr_failback.yml", verbosity=4)
    assert back.rc == 0, back
    assert direction(prod, dr, edge) == everywhere(NORMAL, "prod", "edge")
    assert [c["params"]["access"] for c in mutating(dr) if c["method"] == "ModifyVolumes"] == ["replicationTarget"] * 2
    assert scan_for_secrets({c.password for c in sim.clusters}, [back], sim) == []

    clear_calls(prod, dr, edge)
    again = playbook("dr_failback.yml")
    assert again.rc == 0, again
    assert changed_tasks(again) == [] and all(mutating(c) == [] for c in (prod, dr, edge))
    assert direction(prod, dr, edge) == everywhere(NORMAL, "prod", "edge")


@pytest.mark.parametrize("trouble", ["paused", "link down", "unhealthy"])
def test_a_planned_failover_is_refused_before_any_change(replicating, playbook, trouble):
    prod, dr, edge = replicating
    if trouble == "paused":
        prod.call("ModifyVolumePair", volumeID=volume_named(prod, "vol-0002")["volumeID"], pausedManual=True)
        expected = "state PausedManual on prod"
    elif trouble == "link down":
        prod.set_link("dr", up=False)  # the controller reaches both clusters; they do not reach each other
        expected = "cluster pair not connected"
    else:  # made writable by hand on the DR side, without a failover
        dr.call("ModifyVolume", volumeID=volume_named(dr, "vol-0003")["volumeID"], access="readWrite")
        expected = "pair 3 (volume vol-0003): both vol-0003 on dr / vol-0003 on prod are readWrite"
    clear_calls(prod, dr, edge)
    before = direction(prod, dr, edge)
    run = playbook("dr_failover.yml", dr_failover_entries=["prod:dr"])
    assert run.rc == 2, run
    [failed] = item_results(run, MAIN, host="prod")
    assert "planned failover to dr refused, nothing was changed" in failed["msg"] and expected in failed["msg"], failed
    # Issue 24: one short failure that names the role's variable, not the module's option, and not
    # the whole planned entry (its volumes, its connection).
    [stop] = task_results(run, STOP, host="prod")
    assert stop["status"] == "failed" and stop["result"]["msg"].startswith("prod -> dr: planned failover to dr refused")
    assert expected in stop["result"]["msg"] and "set -e dr_failover_force=true" in stop["result"]["msg"], stop
    assert " force=true" not in stop["result"]["msg"].replace("-e dr_failover_force=true", "")
    assert "dr_failover_entry" not in run.stdout and "failover_items" not in run.stdout, run.stdout
    assert all(mutating(c) == [] for c in (prod, dr, edge))
    assert direction(prod, dr, edge) == before


def test_unplanned_failover_then_failback_when_the_source_returns(replicating, playbook, sim):
    prod, dr, edge = replicating
    prod.set_offline()
    # -e as a user types it: the entry selection as a string.
    run = playbook("dr_failover.yml", extra_args=["-e", "dr_failover_type=unplanned", "-e", "dr_failover_entries=prod:dr"])
    assert run.rc == 0, run
    assert {volume_named(dr, name)["access"] for name, _ in PROD} == {"readWrite"}
    assert access_and_state(edge, dr, EDGE) == {EDGE[0]: NORMAL}
    lines = summary(run)
    assert any(line.startswith("prod -> dr: reconcile later: cluster ") and "could not be reached" in line for line in lines)
    assert "prod -> dr: when prod returns, run dr_failover.yml (planned) to reprotect, dr staying the source, " \
        "or dr_failback.yml to reprotect and then move the source back to prod" in lines
    again = playbook("dr_failover.yml", extra_args=["-e", "dr_failover_type=unplanned", "-e", "dr_failover_entries=0"])
    assert again.rc == 0 and changed_tasks(again) == [], again

    prod.set_online()  # back with its volumes still readWrite: split until reprotected
    assert set(access_and_state(prod, dr, PROD).values()) == {
        ("readWrite", "readWrite", "PausedMisconfigured", "PausedMisconfigured")}
    assert {volume_named(dr, name)["attributes"].get("element_replication_unplanned_failover") for name, _ in PROD} \
        == {"dr"}, "the survivor's volumes carry the failover's mark"
    assert mutating(prod) == [], "the lost cluster was not touched"
    clear_calls(prod, dr, edge)
    check = playbook("dr_failback.yml", check=True, dr_failover_entries=["prod:dr"])
    assert check.rc == 0, check
    assert all("the move to prod follows once the pair is Active" in line for line in summary(check)), summary(check)
    assert all(mutating(c) == [] for c in (prod, dr, edge))

    back = playbook("dr_failback.yml", dr_failover_entries=["prod:dr"])
    assert back.rc == 0, back
    [moved] = item_results(back, MAIN, host="prod")
    assert all(p["changes"][0].startswith("reprotected: vol-") and len(p["changes"]) == 2 for p in moved["volume_pairs"])
    assert direction(prod, dr, edge) == everywhere(NORMAL, "prod", "edge")

    clear_calls(prod, dr, edge)
    again = playbook("dr_failback.yml")
    assert again.rc == 0 and changed_tasks(again) == [], again
    assert all(mutating(c) == [] for c in (prod, dr, edge))


def test_a_failover_that_fails_half_way_is_finished_by_a_rerun(replicating, playbook):
    prod, dr, edge = replicating
    dr.add_fault("ModifyVolumes", "error", error="xInvalidParameter")  # the promote step fails (not transient)
    run = playbook("dr_failover.yml", dr_failover_entries=["prod:dr"])
    assert run.rc == 2, run
    [failed] = item_results(run, MAIN, host="prod")
    assert task_results(run, STOP, host="prod")[0]["status"] == "failed"
    assert "ModifyVolumes" in failed["msg"] and "xInvalidParameter" in failed["msg"], failed
    assert {v[:2] for v in access_and_state(prod, dr, PROD).values()} == {("replicationTarget", "replicationTarget")}, \
        "the old source is demoted first: nothing is writable on both sides"
    rerun = playbook("dr_failover.yml", dr_failover_entries=["prod:dr"])
    assert rerun.rc == 0, rerun
    assert direction(prod, dr, edge) == {**everywhere(FAILED_OVER, "prod"), **everywhere(NORMAL, "edge")}
    assert any("finished an interrupted failover" in line for line in summary(rerun))


def test_an_unknown_entry_fails_before_any_call(playbook, sim):
    clear_calls(*sim.clusters)
    run = playbook("dr_failover.yml", dr_failover_entries=["prod:edge", "7", "edge:dr"])
    assert run.rc == 2, run
    assert "dr_failover_entries names no topology entry: prod:edge, 7. Name entries by index or as source:target: " \
        "0 or prod:dr, 1 or edge:dr." in run.stdout, run
    assert all(c.calls() == [] for c in sim.clusters)


PAUSED_TOPOLOGY = [{"source": "prod", "target": "dr", "volumes": [
    {"volume": "vol-0001"}, {"volume": "vol-0002", "paused": True}]}]
PAUSED_PAIRS = [("vol-0001", "vol-0001"), ("vol-0002", "vol-0002")]


@pytest.fixture
def declared_paused(sim, ansible, tmp_path):
    """prod replicates vol-0001 and vol-0002 to dr; vol-0002 is declared paused, and paused."""
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    pair_clusters_raw(prod, dr)
    for a, b in PAUSED_PAIRS:
        pair_volumes_raw(prod, dr, volume_named(prod, a)["volumeID"], volume_named(dr, b)["volumeID"])
    prod.call("ModifyVolumePair", volumeID=volume_named(prod, "vol-0002")["volumeID"], pausedManual=True)
    clear_calls(prod, dr)
    inventory = topology_inventory(sim, tmp_path / "inventory.yml", PAUSED_TOPOLOGY, ansible_pipelining=True)
    return prod, dr, collection_playbook(ansible, inventory)



def test_a_declared_pause_catches_up_moves_and_is_paused_again(declared_paused):
    """Issue 12: the example topology's declared pause no longer blocks a planned failover. The pair
    is resumed until it is Active, moved with the others, and paused again on the new source; the
    failback does the same the other way; the audit stays clean."""
    prod, dr, playbook = declared_paused
    check = playbook("dr_failover.yml", check=True)
    assert check.rc == 0, check
    assert mutating(prod) == [] and mutating(dr) == []
    planned = [a["method"] for a in item_results(check, MAIN)[0]["actions"] if a["params"].get("volumeID") ==
               volume_named(prod, "vol-0002")["volumeID"]]
    assert planned[0] == "ModifyVolumePair", "check mode shows the catch-up first"

    run = playbook("dr_failover.yml")
    assert run.rc == 0, run
    assert access_and_state(prod, dr, PAUSED_PAIRS) == {
        ("vol-0001", "vol-0001"): FAILED_OVER,
        ("vol-0002", "vol-0002"): ("replicationTarget", "readWrite", "PausedManualRemote", "PausedManual")}
    resumes = [c for c in mutating(prod) if c["method"] == "ModifyVolumePair"]
    assert resumes[0]["params"] == {"volumeID": volume_named(prod, "vol-0002")["volumeID"], "pausedManual": False}, \
        "the declared pause is lifted first so that dr catches up"
    assert playbook("dr_failover.yml").rc == 0 and changed_tasks(playbook("dr_failover.yml")) == []

    back = playbook("dr_failback.yml")
    assert back.rc == 0, back
    assert access_and_state(prod, dr, PAUSED_PAIRS) == {
        ("vol-0001", "vol-0001"): NORMAL,
        ("vol-0002", "vol-0002"): ("readWrite", "replicationTarget", "PausedManual", "PausedManualRemote")}
    audit = playbook("drift_audit.yml")
    assert audit.rc == 0, audit


def test_a_declared_pause_that_does_not_catch_up_refuses_the_entry(declared_paused, sim):
    prod, dr, playbook = declared_paused
    # Every change keeps a pair in ResumingConnected for a minute: once resumed, vol-0002 cannot be
    # Active in time. (Two minutes pass first, so that the pairing itself is done syncing.)
    sim.clusters[0].settings(volume_pair_sync_delay=60)
    sim.clusters[0].advance_clock(120)
    run = playbook("dr_failover.yml", dr_failover_wait_timeout=3)
    assert run.rc != 0
    msg = item_results(run, MAIN)[0]["msg"]
    assert "refused, nothing was moved" in msg and "volume vol-0002" in msg and "did not become Active within 3 s" in msg
    # Nothing moved, and the declared pause is back.
    assert access_and_state(prod, dr, PAUSED_PAIRS) == {
        ("vol-0001", "vol-0001"): NORMAL,
        ("vol-0002", "vol-0002"): ("readWrite", "replicationTarget", "PausedManual", "PausedManualRemote")}
    assert [c["method"] for c in mutating(prod)] == ["ModifyVolumePair", "ModifyVolumePair"]
    assert mutating(dr) == []


def test_a_pause_by_hand_is_still_refused(declared_paused):
    prod, dr, playbook = declared_paused
    prod.call("ModifyVolumePair", volumeID=volume_named(prod, "vol-0001")["volumeID"], pausedManual=True)
    clear_calls(prod, dr)
    run = playbook("dr_failover.yml")
    assert run.rc != 0
    msg = item_results(run, MAIN)[0]["msg"]
    assert "volume vol-0001" in msg and "not healthy and caught up" in msg and "vol-0002" not in msg
    assert mutating(prod) == [] and mutating(dr) == []
