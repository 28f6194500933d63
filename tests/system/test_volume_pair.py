# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""element_volume_pair through ansible-playbook against the simulator."""

from __future__ import annotations

import pytest

from element_sim.harness import SimulatorProcess
from helpers import (Ansible, clear_calls, mutating, pair_clusters_raw, pair_volumes_raw, reset, volume_named,
                     volume_pairs_between)

GIB = 1024 ** 3


def vp(name="pair", **params):
    return {"name": name, "element.replication.element_volume_pair": params}


def account_id(cluster):
    return cluster.call("ListAccounts")["accounts"][0]["accountID"]


def create_volume(cluster, name, size=GIB, enable512e=True):
    return cluster.call("CreateVolume", name=name, accountID=account_id(cluster), totalSize=size,
                        enable512e=enable512e)["volumeID"]


@pytest.fixture
def paired_clusters(sim):
    pair_clusters_raw(sim.cluster("prod"), sim.cluster("dr"))
    for cluster in sim.clusters:
        cluster.clear_calls()
    return sim.cluster("prod"), sim.cluster("dr")


def test_check_then_real_then_real_again(paired_clusters, ansible):
    prod, dr = paired_clusters
    task = vp(volume="vol-0001", mode="sync")
    check = ansible.play([task], check=True, diff=True)
    assert check.rc == 0, check
    result = check.task("pair")
    assert result["changed"] is True
    assert [a["method"] for a in result["actions"]] == ["StartVolumePairing", "CompleteVolumePairing", "ModifyVolumes"]
    assert result["actions"][0]["params"]["mode"] == "Sync"
    assert result["actions"][1]["params"]["volumePairingKey"] == "********"
    assert result["diff"]["before"]["volume_pairs"][0]["paired"] is False
    assert result["diff"]["after"]["volume_pairs"][0]["paired"] is True
    assert result["diff"]["after"]["volume_pairs"][0]["mode"] == "Sync"
    assert mutating(prod) == [] and mutating(dr) == []
    assert volume_pairs_between(prod, dr) == {}

    real = ansible.play([task], diff=True)
    assert real.rc == 0, real
    [entry] = real.task("pair")["volume_pairs"]
    assert entry["changed"] is True and entry["paired"] is True and entry["mode"] == "Sync"
    source, target = volume_pairs_between(prod, dr)[("vol-0001", "vol-0001")]
    assert source["access"] == "readWrite" and target["access"] == "replicationTarget"
    assert source["volumePairs"][0]["remoteReplication"]["mode"] == "Sync"
    assert target["volumePairs"][0]["remoteReplication"]["mode"] == "Sync"
    assert source["volumePairs"][0]["remoteReplication"]["state"] == "Active"
    assert entry["volume_pair_uuid"] == source["volumePairs"][0]["volumePairUUID"]
    assert (entry["source_volume_id"], entry["target_volume_id"]) == (source["volumeID"], target["volumeID"])
    assert real.task("pair")["diff"]["after"]["volume_pairs"][0]["target_access"] == "replicationTarget"

    prod.clear_calls()
    dr.clear_calls()
    again = ansible.play([task])
    assert again.rc == 0, again
    assert again.task("pair")["changed"] is False and again.task("pair")["actions"] == []
    assert len(prod.calls()) + len(dr.calls()) <= 6


def test_target_is_looked_up_on_the_peer(paired_clusters, ansible):
    prod, dr = paired_clusters
    create_volume(prod, "dr-copy")  # same name as the target, but on the source cluster
    create_volume(dr, "dr-copy", size=4 * GIB)
    run = ansible.play([vp(volume="vol-0002", peer_volume="dr-copy")])
    assert run.rc == 0, run
    assert ("vol-0002", "dr-copy") in volume_pairs_between(prod, dr)


def test_mode_and_pause_changes_and_target_side_pause(paired_clusters, ansible):
    prod, dr = paired_clusters
    source, target = volume_named(prod, "vol-0003"), volume_named(dr, "vol-0003")
    pair_volumes_raw(prod, dr, source["volumeID"], target["volumeID"])

    run = ansible.play([vp(volume="vol-0003", mode="SnapshotsOnly", paused=True)])
    assert run.rc == 0, run
    assert run.task("pair")["actions"] == [{
        "cluster": "prod", "side": "local", "method": "ModifyVolumePair",
        "params": {"volumeID": source["volumeID"], "mode": "SnapshotsOnly", "pausedManual": True},
        "reason": "bring vol-0003 on prod to the declared mode and pause state"}]
    on_prod, on_dr = volume_pairs_between(prod, dr)[("vol-0003", "vol-0003")]
    assert on_prod["volumePairs"][0]["remoteReplication"]["state"] == "PausedManual"
    assert on_dr["volumePairs"][0]["remoteReplication"]["state"] == "PausedManualRemote"
    assert on_dr["volumePairs"][0]["remoteReplication"]["mode"] == "SnapshotsOnly"

    resumed = ansible.play([vp(volume="vol-0003", mode="SnapshotsOnly")])
    assert resumed.rc == 0 and resumed.task("pair")["changed"] is True
    assert volume_pairs_between(prod, dr)[("vol-0003", "vol-0003")][0]["volumePairs"][0]["remoteReplication"]["state"] == "Active"

    dr.call("ModifyVolumePair", volumeID=target["volumeID"], pausedManual=True)  # paused from the DR side
    fixed = ansible.play([vp(volume="vol-0003", mode="SnapshotsOnly")])
    assert fixed.rc == 0 and [a["cluster"] for a in fixed.task("pair")["actions"]] == ["dr"]
    assert volume_pairs_between(prod, dr)[("vol-0003", "vol-0003")][1]["volumePairs"][0]["remoteReplication"]["state"] == "Active"


@pytest.mark.parametrize("damage", ["pending-source", "one-sided-source", "one-sided-target"])
def test_half_done_pairs_are_repaired(paired_clusters, ansible, damage):
    prod, dr = paired_clusters
    source, target = volume_named(prod, "vol-0004"), volume_named(dr, "vol-0004")
    if damage == "pending-source":
        prod.call("StartVolumePairing", volumeID=source["volumeID"])
    else:
        pair_volumes_raw(prod, dr, source["volumeID"], target["volumeID"])
        gone, volume = (dr, target) if damage == "one-sided-source" else (prod, source)
        gone.call("RemoveVolumePair", volumeID=volume["volumeID"])
    run = ansible.play([vp(volume="vol-0004")])
    assert run.rc == 0, run
    assert run.task("pair")["volume_pairs"][0]["repairs"]
    assert ("vol-0004", "vol-0004") in volume_pairs_between(prod, dr)
    assert len(prod.paired_volumes()) == 1 and len(dr.paired_volumes()) == 1
    assert ansible.play([vp(volume="vol-0004")]).task("pair")["changed"] is False


def test_absent_removes_both_sides_and_converges_when_one_is_gone(paired_clusters, ansible):
    prod, dr = paired_clusters
    for name in ("vol-0001", "vol-0002"):
        pair_volumes_raw(prod, dr, volume_named(prod, name)["volumeID"], volume_named(dr, name)["volumeID"])
    dr.call("RemoveVolumePair", volumeID=volume_named(dr, "vol-0002")["volumeID"])
    clear_calls(prod, dr)
    task = vp(pairs=[{"volume": "vol-0001"}, {"volume": "vol-0002"}], state="absent")
    check = ansible.play([task], check=True)
    assert check.task("pair")["changed"] is True and mutating(prod) == [] and mutating(dr) == []
    run = ansible.play([task])
    assert run.rc == 0, run
    assert prod.paired_volumes() == [] and dr.paired_volumes() == []
    assert volume_named(dr, "vol-0001")["access"] == "replicationTarget", "absent leaves the target's access alone"
    assert ansible.play([task]).task("pair")["changed"] is False


def test_exclusive_removes_undeclared_pairs(paired_clusters, ansible):
    prod, dr = paired_clusters
    for name in ("vol-0001", "vol-0002", "vol-0003"):
        pair_volumes_raw(prod, dr, volume_named(prod, name)["volumeID"], volume_named(dr, name)["volumeID"])
    clear_calls(prod, dr)
    task = vp(pairs=[{"volume": "vol-0001"}], exclusive=True)
    check = ansible.play([task], check=True)
    assert check.rc == 0, check
    assert sorted(a["params"]["volumeID"] for a in check.task("pair")["actions"]) == sorted(
        [volume_named(prod, n)["volumeID"] for n in ("vol-0002", "vol-0003")]
        + [volume_named(dr, n)["volumeID"] for n in ("vol-0002", "vol-0003")])
    assert len(volume_pairs_between(prod, dr)) == 3 and mutating(prod) == []
    run = ansible.play([task])
    assert run.rc == 0, run
    assert list(volume_pairs_between(prod, dr)) == [("vol-0001", "vol-0001")]
    assert len(prod.paired_volumes()) == 1 and len(dr.paired_volumes()) == 1


def test_create_target(paired_clusters, ansible):
    prod, dr = paired_clusters
    source_id = create_volume(prod, "new-app", size=3 * GIB, enable512e=False)
    task = vp(volume="new-app", create_target=True, peer_account="replication")
    check = ansible.play([task], check=True)
    assert check.rc == 0, check
    assert [a["method"] for a in check.task("pair")["actions"]] == [
        "CreateVolume", "StartVolumePairing", "CompleteVolumePairing", "ModifyVolumes"]
    assert [v for v in dr.volumes() if v["name"] == "new-app"] == []
    run = ansible.play([task])
    assert run.rc == 0, run
    target = volume_named(dr, "new-app")
    assert target["totalSize"] == volume_named(prod, "new-app")["totalSize"] and target["enable512e"] is False
    assert target["access"] == "replicationTarget"
    assert volume_pairs_between(prod, dr)[("new-app", "new-app")][0]["volumeID"] == source_id
    assert ansible.play([task]).task("pair")["changed"] is False


def test_wait_until_active(paired_clusters, ansible):
    prod, dr = paired_clusters
    prod.settings(volume_pair_sync_delay=2)
    run = ansible.play([vp(volume="vol-0009", wait=True, wait_timeout=30)])
    assert run.rc == 0, run
    assert run.task("pair")["volume_pairs"][0]["source_state"] == "Active"


# ---- bulk ---------------------------------------------------------------------------------

BULK = 50


@pytest.fixture(scope="module")
def bulk_sim(tmp_path_factory):
    sim = SimulatorProcess(tmp_path_factory.mktemp("bulk"), clusters=2, volumes=BULK + 5, names=["prod", "dr"]).start()
    sim.baseline = {c.name: {v["volumeID"]: v for v in c.volumes()} for c in sim.clusters}
    yield sim
    sim.stop()


@pytest.fixture
def bulk(bulk_sim, tmp_path, collections_path):
    reset(bulk_sim)
    pair_clusters_raw(bulk_sim.cluster("prod"), bulk_sim.cluster("dr"))
    for cluster in bulk_sim.clusters:
        cluster.clear_calls()
    return bulk_sim, Ansible(bulk_sim, tmp_path, collections_path)


def bulk_task(count=BULK, **params):
    return vp(pairs=[{"volume": "vol-%04d" % i} for i in range(1, count + 1)], **params)


def test_bulk_pairs_then_no_op_within_the_call_budget(bulk):
    sim, ansible = bulk
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    run = ansible.play([bulk_task()])
    assert run.rc == 0, run
    assert len(volume_pairs_between(prod, dr)) == BULK
    mutations = len(mutating(prod)) + len(mutating(dr))
    assert mutations <= 3 * BULK, "at most 3 mutating calls per new pair, got %d" % mutations
    prod.clear_calls()
    dr.clear_calls()
    again = ansible.play([bulk_task()])
    assert again.rc == 0 and again.task("pair")["changed"] is False
    assert len(prod.calls()) + len(dr.calls()) <= 6, [c["method"] for c in prod.calls() + dr.calls()]


def test_mid_bulk_failure_then_rerun_converges(bulk):
    sim, ansible = bulk
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    dr.add_fault("CompleteVolumePairing", "error", count=3, error="xInvalidParameter")
    run = ansible.play([bulk_task()])
    assert run.rc != 0
    result = run.task("pair")
    failed = [p for p in result["volume_pairs"] if p["failed"]]
    assert len(failed) == 3 and all("CompleteVolumePairing" in p["msg"] and "xInvalidParameter" in p["msg"] for p in failed)
    assert "3 of %d pairs failed" % BULK in result["msg"]
    assert len(volume_pairs_between(prod, dr)) == BULK - 3
    assert len(prod.paired_volumes()) == BULK - 3, "failed completions are rolled back on the source"
    rerun = ansible.play([bulk_task()])
    assert rerun.rc == 0, rerun
    assert len(volume_pairs_between(prod, dr)) == BULK
    assert len(prod.paired_volumes()) == BULK and len(dr.paired_volumes()) == BULK


def test_a_busy_cluster_mid_bulk_is_asked_again(bulk):
    """Transient answers (xDB*, HTTP 503) on mutating calls cost a backoff, not a failed pair."""
    sim, ansible = bulk
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    dr.add_fault("CompleteVolumePairing", "error", count=3, error="xDBConnectionLoss")
    prod.add_fault("StartVolumePairing", "http_status", count=2, status=503)
    run = ansible.play([bulk_task(20)])
    assert run.rc == 0, run
    assert len(volume_pairs_between(prod, dr)) == 20 and len(prod.paired_volumes()) == 20
    outcomes = [c["outcome"] for c in dr.calls() if c["method"] == "CompleteVolumePairing"]
    assert outcomes.count("xDBConnectionLoss") == 3 and outcomes.count("ok") == 20


def test_lost_answers_mid_bulk_are_resolved_by_reading_again(bulk):
    sim, ansible = bulk
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    dr.add_fault("CompleteVolumePairing", "drop_after", count=2)
    prod.add_fault("StartVolumePairing", "drop_after", count=1)
    run = ansible.play([bulk_task(20)])
    assert run.rc == 0, run
    assert len(volume_pairs_between(prod, dr)) == 20
    assert len(prod.paired_volumes()) == 20 and len(dr.paired_volumes()) == 20
