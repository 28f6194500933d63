# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""DR rehearsal (issue 15): clones of the replication targets at the DR cluster, replication
untouched, cleanup exact, idempotence, check mode, bad input refused before any change, and a
clone job that fails half-way. Each test checks the real state of both clusters."""

from __future__ import annotations

import json

import pytest
import yaml

from helpers import (REPO, clear_calls, collection_playbook, ensure_account, mutating, pair_clusters_raw, pair_volumes_raw,
                     scan_for_secrets, secret_values, task_results, topology_inventory, volume_named)

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
    options = dict(name=name, state=state, pairs=[{"volume": v} for v in PAIRS])
    options.update(params)
    if options["pairs"] is None:
        del options["pairs"]
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


# ---- issue 24: what a new user hit ---------------------------------------------------------------------

def test_a_latest_clone_of_a_pair_behind_reports_its_lag_its_state_and_its_rpo(replicating, ansible):
    """Item 2: a pair paused on the source for 30 minutes is 30 minutes behind; the clone of its live
    target holds a point 30 minutes old, not 0 s."""
    prod, dr = replicating
    prod.call("ModifyVolumePair", volumeID=volume_named(prod, "vol-0001")["volumeID"], pausedManual=True)
    prod.advance_clock(1800)
    clear_calls(prod, dr)
    task = rehearsal(pairs=[{"volume": "vol-0001", "rpo": "15m"}, {"volume": "vol-0002", "rpo": "15m"}])
    run = ansible.play([task], local="dr", peer="prod")
    assert run.rc == 0, run
    clones = {c["target_volume_name"]: c for c in run.task("rehearse")["clones"]}
    behind, fine = clones["vol-0001"], clones["vol-0002"]
    assert 1800 <= behind["age_seconds"] < 1900, "the source's asyncDelay when cloned"
    assert behind["pair_state"] == "PausedManualRemote" and behind["within_rpo"] is False
    assert behind["warnings"][0].startswith("the pair was PausedManualRemote, not Active, when cloned")
    assert "over the pair's RPO of 15m" in behind["warnings"][1]
    assert fine["age_seconds"] < 5 and fine["within_rpo"] is True and fine["warnings"] == []
    marker = clones_of(dr)["q4-vol-0001"]["attributes"]
    assert float(marker["element.replication.lag_seconds"]) == behind["age_seconds"]
    assert mutating(prod) == [], "the source is only read"
    # A re-run changes nothing and still reports the age the clone was made with.
    again = ansible.play([task], local="dr", peer="prod")
    assert not again.task("rehearse")["changed"]
    assert {c["target_volume_name"]: c["age_seconds"] for c in again.task("rehearse")["clones"]}["vol-0001"] == \
        behind["age_seconds"]


def test_without_an_answer_from_the_source_the_age_is_unknown_and_said_so(replicating, ansible):
    prod, dr = replicating
    prod.set_offline()
    try:
        run = on_dr(ansible, rehearsal(pairs=[{"volume": "vol-0001"}],
                                       peer=dict(ansible.connection("prod"), display_name="prod")))
    finally:
        prod.set_online()
    assert run.rc == 0, run
    [made] = run.task("rehearse")["clones"]
    assert made["age_seconds"] is None and made["clone_volume_id"] == clones_of(dr)["q4-vol-0001"]["volumeID"]
    offline, unknown = made["warnings"]
    assert offline.startswith("the pair was PausedDisconnected, not Active, when cloned")
    assert unknown.startswith("the age of the point in time cloned is unknown: the source cluster did not answer "
                              "(cluster prod ("), unknown
    no_peer = on_dr(ansible, rehearsal(name="q5", pairs=[{"volume": "vol-0002"}]))
    assert "no connection to it was given (peer)" in no_peer.task("rehearse")["clones"][0]["warnings"][0]


def test_a_copy_made_by_hand_from_a_clone_survives_the_cleanup(replicating, ansible):
    """Item 5: CloneVolume copies the clone's attributes, marker included; the copy is not the rehearsal's."""
    prod, dr = replicating
    assert on_dr(ansible, rehearsal(pairs=[{"volume": "vol-0001"}])).rc == 0
    made = clones_of(dr)["q4-vol-0001"]
    assert made["attributes"]["element.replication.clone_id"] == str(made["volumeID"])
    copy = dr.call("CloneVolume", volumeID=made["volumeID"], name="keep-this-copy")["volumeID"]
    same_name = dr.call("CloneVolume", volumeID=made["volumeID"], name="q4-vol-0001")["volumeID"]
    prod.advance_clock(5)  # the copies' clone jobs finish
    assert volume_named(dr, "keep-this-copy")["attributes"][MARKER] == "q4", "the copy carries the marker"
    clear_calls(prod, dr)
    cleanup = on_dr(ansible, rehearsal(state="absent", pairs=None))
    assert cleanup.rc == 0, cleanup
    assert cleanup.task("rehearse")["removed"] == ["clone q4-vol-0001 (ID %s)" % made["volumeID"]]
    left = {v["volumeID"] for v in dr.volumes() if v["status"] == "active"}
    assert {copy, same_name} <= left and made["volumeID"] not in {v["volumeID"] for v in dr.volumes()}
    assert {c["params"]["volumeID"] for c in dr.mutating_calls()} == {made["volumeID"]}


SHARED = [
    {"source": "prod", "target": "dr", "volumes": [{"volume": "vol-0001"}, {"volume": "vol-0002"}]},
    {"source": "edge", "target": "dr", "volumes": [{"volume": "vol-0001", "peer_volume": "vol-0005"},
                                                   {"volume": "vol-0002", "peer_volume": "vol-0006"}]},
]


@pytest.fixture
def shared_dr(sim, ansible, tmp_path):
    """prod and edge replicate to dr (topology SHARED), and rehearsal q4 is up there with an access group."""
    prod, dr, edge = (sim.cluster(n) for n in ("prod", "dr", "edge"))
    pair_clusters_raw(prod, dr)
    pair_clusters_raw(edge, dr)
    for source, names in ((prod, ("vol-0001", "vol-0002")), (edge, ("vol-0005", "vol-0006"))):
        for number, target in enumerate(names, start=1):
            pair_volumes_raw(source, dr, volume_named(source, "vol-000%d" % number)["volumeID"],
                             volume_named(dr, target)["volumeID"])
    sim.clusters[0].settings(clone_seconds=0.1)
    playbook = collection_playbook(ansible, topology_inventory(sim, tmp_path / "inventory.yml", SHARED))
    reports = str(tmp_path / "reports")
    up = playbook("dr_rehearsal.yml", dr_rehearsal_name="q4", dr_rehearsal_report_dir=reports,
                  dr_rehearsal_initiators=[HOST], verbosity=4)
    assert up.rc == 0, up
    # The sources' credentials, now passed for their lags, are never printed either.
    assert scan_for_secrets(secret_values(sim), [up], sim) == []
    assert sorted(clones_of(dr)) == ["q4-vol-0001", "q4-vol-0002", "q4-vol-0005", "q4-vol-0006"]
    return playbook, reports, (prod, dr, edge)


def removals(run):
    return [line for r in task_results(run, "Rehearse at the DR cluster, or clean up")
            for item in r["result"].get("results", []) for line in item.get("removed", [])]


def test_cleanup_of_one_entry_removes_only_its_clones_and_lists_each_removal_once(shared_dr):
    """Items 4 and 10."""
    playbook, _reports, (prod, dr, edge) = shared_dr
    clear_calls(prod, dr, edge)
    check = playbook("dr_rehearsal_cleanup.yml", check=True, dr_rehearsal_name="q4")
    assert check.rc == 0, check
    assert sorted(removals(check)) == sorted(["access group q4-hosts"] + [
        "clone %s (ID %s)" % (n, c["volumeID"]) for n, c in clones_of(dr).items()]), "each removal once"
    assert all(mutating(c) == [] for c in (prod, dr, edge))

    east = playbook("dr_rehearsal_cleanup.yml", dr_rehearsal_name="q4", dr_rehearsal_entries="prod:dr")
    assert east.rc == 0, east
    assert sorted(clones_of(dr)) == ["q4-vol-0005", "q4-vol-0006"], "edge's clones stay"
    [group] = dr.access_groups()
    assert sorted(group["volumes"]) == sorted(c["volumeID"] for c in clones_of(dr).values())
    assert "Kept: access group q4-hosts (it holds clones of pairs not cleaned up now)" in east.stdout

    rest = playbook("dr_rehearsal_cleanup.yml", dr_rehearsal_name="q4")
    assert rest.rc == 0, rest
    assert clones_of(dr) == {} and dr.access_groups() == []
    assert all(v["attributes"].get(MARKER) is None for v in dr.volumes())


def test_a_failed_re_run_keeps_the_report_of_the_rehearsal_that_is_up_and_fails_in_a_few_words(shared_dr, sim):
    playbook, reports, (prod, dr, edge) = shared_dr
    report = json.loads(open(reports + "/rehearsal-q4.json").read())
    assert report["ok"] and report["cloned"] == 4
    markdown = open(reports + "/rehearsal-q4.md").read()
    assert "Clean up with `ansible-playbook -i " in markdown
    assert "element.replication.dr_rehearsal_cleanup -e dr_rehearsal_name=q4`." in markdown

    dr.set_offline()
    try:
        failed = playbook("dr_rehearsal.yml", dr_rehearsal_name="q4", dr_rehearsal_report_dir=reports)
    finally:
        dr.set_online()
    assert failed.rc != 0
    assert json.loads(open(reports + "/rehearsal-q4.json").read()) == report, "the report of the rehearsal up stays"
    again = json.loads(open(reports + "/rehearsal-q4-failed.json").read())
    assert not again["ok"] and again["cloned"] == 0 and again["pairs"] == 4
    assert "Rehearsal q4 FAILED: 0 of 4 pairs cloned at the DR site" in failed.stdout
    assert "unknown old" not in failed.stdout
    # The failure is short: the run's name and the cluster's error, not the planned entry.
    fatal = failed.stdout[failed.stdout.index("TASK [element.replication.dr_rehearsal : Rehearse at the DR"):]
    assert "pair_items" not in fatal and "failover_items" not in fatal and "schedules" not in fatal
    assert "prod -> dr: cluster dr (" in fatal, "the cluster is named by its inventory name"


def shipped_topology():
    """The example topology of playbooks/inventory/simulator, on this simulator's clusters (prod-east is
    prod, prod-west is edge)."""
    text = (REPO / "playbooks" / "inventory" / "simulator" / "group_vars" / "all.yml").read_text()
    topology = yaml.safe_load(text)["element_replication_topology"]
    for entry in topology:
        entry["source"] = {"prod-east": "prod", "prod-west": "edge"}[entry["source"]]
    return topology


def test_right_after_setup_the_shipped_example_rehearses_naming_what_waits_and_what_is_behind(sim, ansible, tmp_path):
    """Item 8 (and 2): the SnapshotsOnly pair's hourly schedule has not run yet; the rehearsal skips it in
    words instead of failing, and names prod-west's declared-paused pair as behind."""
    playbook = collection_playbook(ansible, topology_inventory(sim, tmp_path / "inventory.yml", shipped_topology()))
    assert playbook("dr_setup.yml").rc == 0
    audit = playbook("drift_audit.yml", replication_audit_report_dir=str(tmp_path / "audit"))
    assert audit.rc == 0, audit  # the walkthrough: setup, audit, rehearsal --check
    sim.clusters[0].settings(clone_seconds=0.1)
    reports = str(tmp_path / "reports")
    clear_calls(*sim.clusters)
    check = playbook("dr_rehearsal.yml", check=True, dr_rehearsal_report_dir=reports)
    assert check.rc == 0, check
    assert "Unable to find" not in check.stdout + check.stderr, "no warning about a report directory not there yet"
    assert all(mutating(c) == [] for c in sim.clusters)
    words = " ".join(check.stdout.split())
    assert "Rehearsal rehearsal: 7 of 8 pairs would be cloned at the DR site, 1 skipped" in words
    assert ("prod -> dr, vol-0004: skipped: vol-0004 (the target of vol-0004) is waiting for its first replicated "
            "snapshot (next run at ") in words

    run = playbook("dr_rehearsal.yml", dr_rehearsal_report_dir=reports)
    assert run.rc == 0, run
    dr = sim.cluster("dr")
    assert sorted(clones_of(dr, "rehearsal")) == ["rehearsal-vol-000%d" % n for n in (1, 2, 3, 5, 6, 7, 8)]
    report = json.loads(open(reports + "/rehearsal-rehearsal.json").read())
    assert (report["ok"], report["cloned"], report["skipped"]) == (True, 7, 1)
    paused = next(c for e in report["entries"] for c in e["clones"] if c["target_volume_name"] == "vol-0008")
    assert paused["pair_state"] == "PausedManualRemote" and paused["age_seconds"] is not None
    markdown = open(reports + "/rehearsal-rehearsal.md").read()
    assert "edge -> dr, vol-0008: the pair was PausedManualRemote, not Active, when cloned" in markdown
    assert "prod -> dr, vol-0004: skipped: " in markdown


def test_a_dr_cluster_that_does_not_answer_is_named_as_its_source_lists_it(replicating, ansible):
    """Without display_name, the module names the DR cluster by the name its source (peer) lists for it."""
    prod, dr = replicating
    dr.set_offline()
    try:
        run = ansible.play([rehearsal(pairs=[{"volume": "vol-0001"}])], local="dr", peer="prod")
    finally:
        dr.set_online()
    assert run.rc != 0
    assert run.task("rehearse")["msg"].startswith("cluster dr (%s:%s): " % (dr.host, dr.port))
    assert mutating(dr) == [] and mutating(prod) == []
