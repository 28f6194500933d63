# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""playbooks/dr_setup.yml, drift_audit.yml, dr_failover.yml, dr_failback.yml and dr_teardown.yml as shipped,
plain and under --check --diff, against the simulator: check runs make no mutating call, real runs leave
the clusters in the declared state, and no secret reaches any output even at -vvvv."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from helpers import (REPO, changed_tasks, clear_calls, mutating, pairs_between, replicate_snapshot, replication_state,
                     scan_for_secrets, secret_values, task_results, topology_inventory, volume_named)

TOPOLOGY = [
    {"source": "prod", "target": "dr", "volumes": [
        {"volume": "vol-0001", "mode": "Sync"},
        {"volume": "vol-0002"},
        {"volume": "vol-0003", "paused": True}]},
    {"source": "edge", "target": "dr", "mode": "SnapshotsOnly", "snapshots": {"every": "1h", "retain": "1d"},
     "volumes": [{"volume": "vol-0001", "peer_volume": "vol-0005"}]},
]
DECLARED = {
    ("prod", "dr"): {("vol-0001", "vol-0001"): ("Sync", "Active", "Active"),
                     ("vol-0002", "vol-0002"): ("Async", "Active", "Active"),
                     ("vol-0003", "vol-0003"): ("Async", "PausedManual", "PausedManualRemote")},
    ("edge", "dr"): {("vol-0001", "vol-0005"): ("SnapshotsOnly", "Active", "Active")},
}


@pytest.fixture
def playbook(ansible, sim, tmp_path):
    """Run one of the collection's playbooks with TOPOLOGY in the inventory."""
    inventory = topology_inventory(sim, tmp_path / "inventory.yml", TOPOLOGY, ansible_pipelining=True)

    def run(name, check=False, diff=False, verbosity=0, **extra_vars):
        extra = ["-e", json.dumps(extra_vars)] if extra_vars else []
        return ansible.playbook(None, playbook_path=REPO / "playbooks" / name, inventory=inventory, check=check,
                                diff=diff, verbosity=verbosity, extra_args=extra)
    return run


def state(sim):
    return {couple: replication_state(sim.cluster(couple[0]), sim.cluster(couple[1])) for couple in DECLARED}


def no_calls_changed_anything(sim):
    return all(mutating(c) == [] for c in sim.clusters)


def test_dr_setup_checks_then_converges_then_has_nothing_to_do(playbook, sim):
    check = playbook("dr_setup.yml", check=True, diff=True)
    assert check.rc == 0, check
    assert no_calls_changed_anything(sim)
    assert sim.cluster("dr").cluster_pairs() == []
    planned = [r["result"] for r in task_results(check, "Pair or unpair the clusters") if r["status"] == "ok"]
    assert sorted(item["cluster_pairing_cluster_pair"]["label"] for p in planned for item in p["results"]) == [
        "edge <-> dr", "prod <-> dr"]
    assert all(item["changed"] and item["diff"] for p in planned for item in p["results"])
    # The volume pairs are planned as if the clusters were paired, with the module's warning.
    planned = [item for r in task_results(check, "Converge the volume pairs of each topology entry")
               if r["status"] == "ok" for item in r["result"]["results"]]
    assert sorted((p["source_cluster"], p["source_volume_name"], p["target_volume_name"]) for item in planned
                  for p in item["volume_pairs"] if p["changed"]) == [
        ("edge", "vol-0001", "vol-0005"), ("prod", "vol-0001", "vol-0001"), ("prod", "vol-0002", "vol-0002"),
        ("prod", "vol-0003", "vol-0003")]
    words = " ".join((check.stdout + check.stderr).split())  # warnings may be wrapped
    assert words.count("the check-mode plan assumes an earlier task pairs them") == 2

    real = playbook("dr_setup.yml", verbosity=4)
    assert real.rc == 0, real
    assert state(sim) == DECLARED
    assert len(pairs_between(sim.cluster("prod"), sim.cluster("dr"))) == 1
    for cluster in sim.clusters:  # the passwords of both sides of every task never reach the output
        assert cluster.password not in real.stdout and cluster.password not in real.stderr

    clear_calls(*sim.clusters)
    again = playbook("dr_setup.yml", check=True, diff=True)
    assert again.rc == 0, again
    assert changed_tasks(again) == [] and no_calls_changed_anything(sim)
    assert state(sim) == DECLARED


def test_drift_audit_under_check_and_diff_then_teardown(playbook, sim, tmp_path):
    assert playbook("dr_setup.yml").rc == 0
    replicate_snapshot(sim.cluster("edge"), "vol-0001")  # the SnapshotsOnly pair protects something
    reports = tmp_path / "reports"
    clear_calls(*sim.clusters)
    clean = playbook("drift_audit.yml", check=True, diff=True, replication_audit_report_dir=str(reports))
    assert clean.rc == 0, clean
    report = json.loads((reports / "replication-audit.json").read_text())  # written under --check too
    assert report["clean"] is True and len(report["cluster_pairs"]) == 2

    prod = sim.cluster("prod")
    prod.call("ModifyVolumePair", volumeID=volume_named(prod, "vol-0002")["volumeID"], pausedManual=True)
    prod.call("ModifyVolumePair", volumeID=volume_named(prod, "vol-0003")["volumeID"], pausedManual=False)
    clear_calls(*sim.clusters)
    only_report = playbook("drift_audit.yml", replication_audit_report_dir=str(reports),
                           replication_audit_fail_on_drift=False)
    assert only_report.rc == 0, only_report
    report = json.loads((reports / "replication-audit.json").read_text())
    assert report["clean"] is False and report["drift_count"] == 2

    gate = playbook("drift_audit.yml", check=True, diff=True, replication_audit_report_dir=str(reports))
    assert gate.rc == 2, gate
    assert "DRIFT: 2 finding(s)" in gate.stdout
    # --diff shows what the converge would change for the two drifted pairs.
    [checked] = [r["result"] for r in task_results(gate, "Audit the topology and write the report")]
    diff_after = {p["source_volume_name"]: p for p in checked["diff"]["after"]["volume_pairs"]}
    assert diff_after["vol-0002"]["paused"] is False and diff_after["vol-0003"]["paused"] is True
    assert no_calls_changed_anything(sim)
    drifted = dict(DECLARED[("prod", "dr")])
    drifted[("vol-0002", "vol-0002")] = ("Async", "PausedManual", "PausedManualRemote")
    drifted[("vol-0003", "vol-0003")] = ("Async", "Active", "Active")
    assert state(sim)[("prod", "dr")] == drifted  # the audit repaired nothing

    # Teardown: refused without confirmation, planned under --check, then done.
    refused = playbook("dr_teardown.yml")
    assert refused.rc == 2 and "element_replication_teardown=true" in refused.stdout, refused
    assert all(mutating(c) == [] for c in sim.clusters)

    check = playbook("dr_teardown.yml", check=True, diff=True)
    assert check.rc == 0, check
    assert no_calls_changed_anything(sim) and state(sim)[("prod", "dr")] == drifted
    assert "Check mode does not plan unpairing prod <-> dr" in check.stdout

    real = playbook("dr_teardown.yml", element_replication_teardown=True)
    assert real.rc == 0, real
    for name in ("prod", "edge", "dr"):
        cluster = sim.cluster(name)
        assert cluster.paired_volumes() == [] and cluster.cluster_pairs() == [], name
    # Volumes and their data stay; the DR copies keep their access.
    assert volume_named(sim.cluster("dr"), "vol-0005")["access"] == "replicationTarget"
    # edge's snapshot schedule (the topology's snapshots) goes with its pairs.
    assert [call["method"] for call in mutating(sim.cluster("edge"))] == [
        "RemoveVolumePair", "ModifySchedule", "RemoveClusterPair"]
    assert sim.cluster("edge").call("ListSchedules")["schedules"] == []


def test_every_playbook_at_full_verbosity_leaks_no_secret(playbook, sim, tmp_path):
    """dr_setup, drift_audit, dr_failover, dr_failback and dr_teardown at -vvvv: no admin password, no
    pairing key and no credential from a cluster pairing key in any output, result or report."""
    reports = tmp_path / "audit-reports"
    runs = [playbook("dr_setup.yml", verbosity=4)]
    replicate_snapshot(sim.cluster("edge"), "vol-0001")
    secrets = secret_values(sim)  # the pairs exist now: their keys and credentials are known
    runs += [playbook("drift_audit.yml", check=True, diff=True, verbosity=4, replication_audit_report_dir=str(reports)),
             playbook("dr_failover.yml", verbosity=4, dr_failover_entries=["prod:dr"], dr_failover_force=True),
             playbook("dr_failback.yml", verbosity=4, dr_failover_entries=["prod:dr"])]
    secrets |= secret_values(sim)
    runs.append(playbook("dr_teardown.yml", verbosity=4, element_replication_teardown=True))
    assert [run.rc for run in runs] == [0] * len(runs), runs
    report_files = sorted(reports.glob("*"))
    assert len(report_files) == 2
    runs.append(SimpleNamespace(stdout="", stderr="", artifacts=report_files))
    assert scan_for_secrets(secrets, runs, sim) == []
