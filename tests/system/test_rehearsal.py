# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""DR rehearsal (issue 15): clones of the replication targets at the DR cluster, replication
untouched, cleanup exact, idempotence, check mode, bad input refused before any change, and a
clone job that fails half-way. Each test checks the real state of both clusters."""

from __future__ import annotations

import json

import pytest

from helpers import (clear_calls, collection_playbook, ensure_account, mutating, pair_clusters_raw, pair_volumes_raw,
                     topology_inventory, volume_named)

PAIRS = ("vol-0001", "vol-0002", "vol-0003", "vol-0004")  # vol-0004 is SnapshotsOnly
MARKER = "element.replication.rehearsal"
HOST = "iqn.1998-01.com.vmware:test-esx01"


@pytest.fixture
def replicating(sim):
    """prod replicates vol-0001..0004 to dr (vol-0004 SnapshotsOnly, with one replicated snapshot)."""
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    pair_clusters_raw(prod, dr)
    for name in PAIRS:
        pair_volumes_raw(prod, dr, volume_named(prod, name)["volumeID"], volume_named(dr, name)["volumeID"],
                         mode="SnapshotsOnly" if name == "vol-0004" else "Async")
    prod.call("CreateSnapshot", volumeID=volume_named(prod, "vol-0004")["volumeID"], name="nightly",
              enableRemoteReplication=True)
    sim.clusters[0].settings(clone_seconds=0.1)
    clear_calls(prod, dr)
    return prod, dr


def rehearsal(name="q4", state="present", **params):
    options = dict(name=name, state=state, pairs=[{"volume": v} for v in PAIRS], **params)
    return {"name": "rehearse", "element.replication.element_replication_rehearsal": options}


def on_dr(ansible, task, **kw):
    """The rehearsal runs against the DR cluster: its connection, no peer."""
    return ansible.play([task], local="dr", peer=None, **kw)


def clones_of(dr, name="q4"):
    return {v["name"]: v for v in dr.volumes() if v["attributes"].get(MARKER) == name and v["status"] != "deleted"}


def replication_untouched(prod, dr):
    for name in PAIRS:
        source, target = volume_named(prod, name), volume_named(dr, name)
        assert (source["access"], target["access"]) == ("readWrite", "replicationTarget")
        assert source["volumePairs"][0]["remoteReplication"]["state"] == "Active"
        assert target["volumePairs"][0]["remoteReplication"]["state"] == "Active"
    assert mutating(prod) == [], "the source cluster is never changed"


def test_rehearsal_up_idempotent_and_cleaned_up_exactly(replicating, ansible):
    prod, dr = replicating
    # An account no other test makes (accounts outlive the simulator's reset): this run creates it.
    up = rehearsal(access_group={"name": "q4-hosts", "initiators": [HOST]}, account="q4-rehearsal")
    check = on_dr(ansible, up, check=True, diff=True)
    assert check.rc == 0, str(check)
    assert mutating(dr) == [] and mutating(prod) == []
    planned = [a["method"] for a in check.task("rehearse")["actions"]]
    assert planned == ["AddAccount"] + ["CloneVolume", "ModifyVolume"] * 4 + ["CreateVolumeAccessGroup"]

    run = on_dr(ansible, up)
    assert run.rc == 0, run
    clones = clones_of(dr)
    assert sorted(clones) == ["q4-%s" % v for v in PAIRS]
    account = ensure_account(dr, "q4-rehearsal")
    assert {(c["access"], c["accountID"], c["status"]) for c in clones.values()} == {("readWrite", account, "active")}
    [group] = dr.access_groups()
    assert (group["name"], group["initiators"], sorted(group["volumes"])) == (
        "q4-hosts", [HOST], sorted(c["volumeID"] for c in clones.values()))
    origins = {c["name"]: c for c in dr.clones()}
    assert origins["q4-vol-0004"]["sourceSnapshotName"] == "nightly", "SnapshotsOnly: the replicated snapshot"
    assert origins["q4-vol-0001"]["sourceSnapshotID"] is None, "Async: the live target"
    marker = clones["q4-vol-0004"]["attributes"]
    assert (marker["element.replication.source_volume"], marker["element.replication.point"]) == ("vol-0004", "snapshot")
    result = {c["clone_name"]: c for c in run.task("rehearse")["clones"]}
    assert result["q4-vol-0001"]["iqn"] == clones["q4-vol-0001"]["iqn"] and result["q4-vol-0004"]["snapshot"] == "nightly"
    assert result["q4-vol-0004"]["age_seconds"] >= 0 and result["q4-vol-0004"]["access_group"] == "q4-hosts"
    replication_untouched(prod, dr)

    clear_calls(prod, dr)
    again = on_dr(ansible, up)
    assert again.rc == 0 and not again.task("rehearse")["changed"]
    assert mutating(dr) == []

    # Someone else's volume on dr stays whatever happens.
    other = dr.call("CreateVolume", name="keep-me", accountID=1, totalSize=2 ** 30, enable512e=True)["volumeID"]
    clear_calls(prod, dr)
    check_cleanup = on_dr(ansible, rehearsal(state="absent"), check=True)
    assert check_cleanup.rc == 0 and mutating(dr) == []
    assert len(check_cleanup.task("rehearse")["removed"]) == 5
    cleanup = on_dr(ansible, rehearsal(state="absent"))
    assert cleanup.rc == 0, cleanup
    assert clones_of(dr) == {} and dr.access_groups() == []
    assert all(v["attributes"].get(MARKER) is None for v in dr.volumes()), "purged, not only deleted"
    assert any(v["volumeID"] == other for v in dr.volumes())
    replication_untouched(prod, dr)
    clear_calls(prod, dr)
    assert not on_dr(ansible, rehearsal(state="absent")).task("rehearse")["changed"]
    assert mutating(dr) == []


def test_a_clone_job_that_fails_is_redone_by_the_next_run(replicating, ansible):
    prod, dr = replicating
    dr.fail_next_clone()
    run = on_dr(ansible, rehearsal())
    assert run.rc != 0
    result = run.task("rehearse")
    failed = [c for c in result["clones"] if c["failed"]]
    assert len(failed) == 1 and "xCloneFailed" in failed[0]["msg"] and "1 of 4 pairs failed" in result["msg"]
    assert len(clones_of(dr)) == 3
    rerun = on_dr(ansible, rehearsal())
    assert rerun.rc == 0, rerun
    assert sorted(clones_of(dr)) == ["q4-%s" % v for v in PAIRS]
    marked = [v for v in dr.volumes() if v["attributes"].get(MARKER) == "q4"]
    assert len(marked) == 4, "the failed clone was purged, nothing is duplicated"
    replication_untouched(prod, dr)


def tenant_account(sim):
    ensure_account(sim.cluster("dr"), "tenant-a")


def namesake(sim):
    dr = sim.cluster("dr")
    dr.call("CreateVolume", name="q4-vol-0002", accountID=1, totalSize=2 ** 30, enable512e=True)


def foreign_group(sim):
    sim.cluster("dr").call("CreateVolumeAccessGroup", name="q4-hosts")


@pytest.mark.parametrize("setup, params, expected", [
    (None, {"name": "a" * 33}, "rehearsal name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' does not fit"),
    (None, {"name": "bad name"}, "does not fit"),
    (tenant_account, {"account": "tenant-a"}, "account tenant-a on cluster dr exists and was not made by"),
    (namesake, {}, "volume q4-vol-0002 (ID"),
    (foreign_group, {"access_group": {"name": "q4-hosts", "initiators": [HOST]}},
     "volume access group q4-hosts on cluster dr exists without this rehearsal's marker"),
    (None, {"pairs": [{"volume": "vol-0009"}]}, "vol-0009 on dr is not the replication target of a pair"),
    (None, {"pairs": [{"volume": "no-such"}]}, "target volume 'no-such' not found on cluster dr"),
], ids=["long-name", "bad-name", "tenant-account", "namesake-volume", "foreign-group", "unpaired", "unknown"])
def test_bad_input_is_refused_before_any_change(replicating, ansible, sim, setup, params, expected):
    prod, dr = replicating
    if setup:
        setup(sim)
    clear_calls(prod, dr)
    task = rehearsal(**{k: v for k, v in params.items() if k == "name"})
    task["element.replication.element_replication_rehearsal"].update({k: v for k, v in params.items() if k != "name"})
    run = on_dr(ansible, task)
    assert run.rc != 0
    assert expected in run.task("rehearse")["msg"]
    assert mutating(dr) == [] and mutating(prod) == []
    assert clones_of(dr, params.get("name", "q4")) == {}


TOPOLOGY = [
    {"source": "prod", "target": "dr", "volumes": [{"volume": "vol-0001"}, {"volume": "vol-0004", "mode": "SnapshotsOnly"}]},
    {"source": "edge", "target": "dr", "volumes": [{"volume": "vol-0001", "peer_volume": "vol-0005"}]},
]


def test_the_playbooks_rehearse_a_topology_and_clean_up(sim, ansible, tmp_path):
    prod, dr, edge = (sim.cluster(n) for n in ("prod", "dr", "edge"))
    pair_clusters_raw(prod, dr)
    pair_clusters_raw(edge, dr)
    pair_volumes_raw(prod, dr, volume_named(prod, "vol-0001")["volumeID"], volume_named(dr, "vol-0001")["volumeID"])
    pair_volumes_raw(prod, dr, volume_named(prod, "vol-0004")["volumeID"], volume_named(dr, "vol-0004")["volumeID"],
                     mode="SnapshotsOnly")
    pair_volumes_raw(edge, dr, volume_named(edge, "vol-0001")["volumeID"], volume_named(dr, "vol-0005")["volumeID"])
    prod.call("CreateSnapshot", volumeID=volume_named(prod, "vol-0004")["volumeID"], name="nightly",
              enableRemoteReplication=True)
    # ... taken by a schedule of replicated snapshots, as the audit expects of a SnapshotsOnly pair
    prod.call("CreateSchedule", scheduleName="nightly", scheduleType="Snapshot", hours=24, minutes=0,
              attributes={"frequency": "Time Interval"},
              scheduleInfo={"volumeID": volume_named(prod, "vol-0004")["volumeID"], "name": "nightly",
                            "enableRemoteReplication": True})
    sim.clusters[0].settings(clone_seconds=0.1)
    playbook = collection_playbook(ansible, topology_inventory(sim, tmp_path / "inventory.yml", TOPOLOGY))
    reports = tmp_path / "reports"
    clear_calls(*sim.clusters)
    check = playbook("dr_rehearsal.yml", check=True, dr_rehearsal_name="drill", dr_rehearsal_report_dir=str(reports))
    assert check.rc == 0, str(check)
    assert all(mutating(c) == [] for c in sim.clusters)

    run = playbook("dr_rehearsal.yml", dr_rehearsal_name="drill", dr_rehearsal_report_dir=str(reports),
                   dr_rehearsal_initiators=[HOST])
    assert run.rc == 0, run
    assert sorted(clones_of(dr, "drill")) == ["drill-vol-0001", "drill-vol-0004", "drill-vol-0005"]
    assert [g["name"] for g in dr.access_groups()] == ["drill-hosts"]
    assert mutating(prod) == [] and mutating(edge) == []
    report = json.loads((reports / "rehearsal-drill.json").read_text())
    assert (report["ok"], report["pairs"], report["cloned"]) == (True, 3, 3)
    markdown = (reports / "rehearsal-drill.md").read_text()
    assert "drill-vol-0004" in markdown and "snapshot (nightly)" in markdown and "iqn." in markdown

    audit = playbook("drift_audit.yml", replication_audit_report_dir=str(tmp_path / "audit"))
    assert audit.rc == 0, audit  # clones are not pairs and not drift

    unknown = playbook("dr_rehearsal.yml", dr_rehearsal_name="drill", dr_rehearsal_entries=["prod:nowhere"])
    assert unknown.rc != 0 and "dr_rehearsal_entries names no topology entry: prod:nowhere" in unknown.stdout

    cleanup = playbook("dr_rehearsal_cleanup.yml", dr_rehearsal_name="drill")
    assert cleanup.rc == 0, cleanup
    assert clones_of(dr, "drill") == {} and dr.access_groups() == []
    for source, target, couple in ((prod, dr, ("vol-0001", "vol-0001")), (edge, dr, ("vol-0001", "vol-0005"))):
        assert volume_named(target, couple[1])["volumePairs"][0]["remoteReplication"]["state"] == "Active"
