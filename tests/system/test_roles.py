# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The roles through ansible-playbook against the simulator: converge, idempotence, check mode,
validation, and the drift audit finding each kind of drift (and nothing when clean). Every test
checks the clusters' real state, not only what the roles reported."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from helpers import (REPO, changed_tasks, clear_calls, mutating, pair_volumes_raw, pairs_between, replication_state,
                     task_results, topology_inventory, volume_named)

# prod and edge replicate to dr (edge exclusively), dr replicates one volume back to prod over the
# same cluster pair, and lab1 is paired with lab2 without volumes.
TOPOLOGY = [
    {"source": "prod", "target": "dr", "mode": "Async", "volumes": [
        {"volume": "vol-0001", "mode": "Sync"},
        {"volume": "vol-0002"},
        {"volume": "vol-0003"},
        {"volume": "vol-0004", "mode": "SnapshotsOnly", "paused": True},
        {"volume": "vol-0005"},
        {"volume": "vol-0006"}]},
    {"source": "edge", "target": "dr", "exclusive": True, "volumes": [
        {"volume": "vol-0001", "peer_volume": "vol-0009"}]},
    {"source": "dr", "target": "prod", "volumes": [{"volume": "vol-0011"}]},
    {"source": "lab1", "target": "lab2"},
]
CONVERGED = {
    ("prod", "dr"): {("vol-0001", "vol-0001"): ("Sync", "Active", "Active"),
                     ("vol-0002", "vol-0002"): ("Async", "Active", "Active"),
                     ("vol-0003", "vol-0003"): ("Async", "Active", "Active"),
                     ("vol-0004", "vol-0004"): ("SnapshotsOnly", "PausedManual", "PausedManualRemote"),
                     ("vol-0005", "vol-0005"): ("Async", "Active", "Active"),
                     ("vol-0006", "vol-0006"): ("Async", "Active", "Active")},
    ("edge", "dr"): {("vol-0001", "vol-0009"): ("Async", "Active", "Active")},
    ("dr", "prod"): {("vol-0011", "vol-0011"): ("Async", "Active", "Active")},
}


def role_play(role, **role_vars):
    return [{"name": role, "hosts": "element_clusters", "gather_facts": False,
             "roles": [{"role": "element.replication." + role, "vars": role_vars}]}]


@pytest.fixture
def run_role(ansible, sim, tmp_path):
    """Run a role of the collection on every cluster host, with TOPOLOGY (or another) in the inventory."""
    def run(role, topology=TOPOLOGY, check=False, **role_vars):
        inventory = topology_inventory(sim, tmp_path / ("inventory-%d.yml" % ansible.runs), topology,
                                       ansible_pipelining=True)
        return ansible.playbook(role_play(role, **role_vars), inventory=inventory, check=check)
    return run


def assert_converged(sim, also=None):
    for (source, target), pairs in CONVERGED.items():
        expected = {**pairs, **(also or {}).get((source, target), {})}
        assert replication_state(sim.cluster(source), sim.cluster(target)) == expected, (source, target)
    assert len(pairs_between(sim.cluster("lab1"), sim.cluster("lab2"))) == 1
    # Exactly one cluster pair per pair of clusters, whichever direction the entries go.
    assert len(sim.cluster("dr").cluster_pairs()) == 2 and len(sim.cluster("prod").cluster_pairs()) == 1


def load_report(directory):
    report = json.loads((directory / "replication-audit.json").read_text())
    return report, (directory / "replication-audit.md").read_text()


def findings(report):
    """{(source, target, source volume or 'cluster pair'): (health, planned actions)} of every drift."""
    found = {}
    for pair in report["cluster_pairs"]:
        if pair["cluster_pair_drift"]:
            found[(pair["source"], pair["target"], "cluster pair")] = (pair["health"], pair["planned_actions"])
        for volume in pair["volume_pairs"]:
            if volume["drift"]:
                found[(pair["source"], pair["target"], volume["source_volume"])] = (volume["health"],
                                                                                 volume["planned_actions"])
    return found


def test_converge_audit_drift_and_fix(run_role, sim, tmp_path):
    """volume_pairing converges and then changes nothing; the audit is clean, then finds each kind
    of drift made through the raw API, and a converge fixes what the topology declares."""
    prod, dr, edge, lab2 = (sim.cluster(n) for n in ("prod", "dr", "edge", "lab2"))
    run = run_role("volume_pairing")
    assert run.rc == 0, run
    assert_converged(sim)
    shown = [line for r in task_results(run, "Show what changed") if r["status"] == "ok" for line in r["result"]["msg"]]
    assert len(shown) == 8 and "prod -> dr: vol-0001 -> vol-0001: paired vol-0001 on prod with vol-0001 on dr (Sync); " \
        "set access of target vol-0001 to replicationTarget" in shown

    clear_calls(*sim.clusters)
    again = run_role("volume_pairing")
    assert again.rc == 0, again
    assert changed_tasks(again) == []
    assert {c.name: mutating(c) for c in sim.clusters} == {c.name: [] for c in sim.clusters}
    assert_converged(sim)

    prod_ids = {n: volume_named(prod, n)["volumeID"] for n in ("vol-0001", "vol-0002", "vol-0005", "vol-0007", "vol-0008")}
    dr_ids = {n: volume_named(dr, n)["volumeID"] for n in ("vol-0003", "vol-0005", "vol-0007", "vol-0010")}
    pair_volumes_raw(prod, dr, prod_ids["vol-0007"], dr_ids["vol-0007"])  # undeclared, healthy: not drift

    clean = run_role("replication_audit", replication_audit_report_dir=str(tmp_path / "clean"))
    assert clean.rc == 0, clean
    report, markdown = load_report(tmp_path / "clean")
    assert report["clean"] is True and report["drift_count"] == 0 and report["errors"] == []
    assert [(p["source"], p["target"], p["health"]) for p in report["cluster_pairs"]] == [
        ("prod", "dr", "healthy"), ("edge", "dr", "healthy"), ("dr", "prod", "healthy"), ("lab1", "lab2", "healthy")]
    prod_dr = {v["source_volume"]: v for v in report["cluster_pairs"][0]["volume_pairs"]}
    assert prod_dr["vol-0004"]["health"] == "paused" and prod_dr["vol-0004"]["drift"] is False
    assert prod_dr["vol-0007"]["declared"] is False and prod_dr["vol-0007"]["health"] == "healthy"
    assert "vol-0011" not in prod_dr  # reported by the dr -> prod entry
    assert "```mermaid\ngraph LR\n" in markdown and 'c_prod -->|"Sync/Async/SnapshotsOnly, healthy"| c_dr' in markdown

    clear_calls(*sim.clusters)
    prod.call("ModifyVolumePair", volumeID=prod_ids["vol-0001"], mode="Async")  # declared Sync
    prod.call("ModifyVolumePair", volumeID=prod_ids["vol-0002"], pausedManual=True)  # declared running
    dr.call("RemoveVolumePair", volumeID=dr_ids["vol-0003"])  # one-sided
    prod.call("RemoveVolumePair", volumeID=prod_ids["vol-0005"])  # gone on both sides
    dr.call("RemoveVolumePair", volumeID=dr_ids["vol-0005"])
    prod.call("StartVolumePairing", volumeID=prod_ids["vol-0008"])  # undeclared and pending
    pair_volumes_raw(edge, dr, volume_named(edge, "vol-0002")["volumeID"], dr_ids["vol-0010"])  # undeclared, exclusive
    lab2.call("RemoveClusterPair", clusterPairID=lab2.cluster_pairs()[0]["clusterPairID"])  # one-sided cluster pair
    clear_calls(*sim.clusters)

    drift = run_role("replication_audit", replication_audit_report_dir=str(tmp_path / "drift"))
    assert drift.rc == 2, drift
    assert all(mutating(c) == [] for c in sim.clusters)
    report, markdown = load_report(tmp_path / "drift")
    assert report["clean"] is False and report["drift_count"] == 7 and report["errors"] == []
    found = findings(report)
    assert sorted(found) == sorted([
        ("prod", "dr", "vol-0001"), ("prod", "dr", "vol-0002"), ("prod", "dr", "vol-0003"), ("prod", "dr", "vol-0005"),
        ("prod", "dr", "vol-0008"), ("edge", "dr", "vol-0002"), ("lab1", "lab2", "cluster pair")])
    assert found[("prod", "dr", "vol-0001")] == ("healthy", ["mode Async -> Sync"])
    assert found[("prod", "dr", "vol-0002")] == ("mismatched", ["resumed replication"])
    assert found[("prod", "dr", "vol-0003")][0] == "one-sided"
    assert found[("prod", "dr", "vol-0003")][1][-1] == "paired vol-0003 on prod with vol-0003 on dr (Async)"
    assert found[("prod", "dr", "vol-0005")][0] == "absent"
    assert found[("prod", "dr", "vol-0008")] == ("pending", [])  # converging does not touch undeclared pairs
    assert found[("edge", "dr", "vol-0002")] == ("healthy", [
        "exclusive: vol-0002 (ID 2) on edge is paired but not declared",
        "exclusive: vol-0010 (ID 10) on dr is paired but not declared"])
    assert found[("lab1", "lab2", "cluster pair")][0] == "one-sided"
    volumes = {v["source_volume"]: v for v in report["cluster_pairs"][0]["volume_pairs"]}
    assert volumes["vol-0001"]["reasons"] == ["mode is Async, the topology declares Sync"]
    assert volumes["vol-0004"]["drift"] is False and volumes["vol-0007"]["drift"] is False
    assert "linkStyle 0 stroke:#d62728" in markdown
    assert re.search(r"\| vol-0002 \| vol-0002 \| present \| Async \| mismatched \| \d+s \| yes \|", markdown), markdown
    [shown] = task_results(drift, "Show the audit summary; fail on drift")
    summary = shown["result"]["msg"]
    assert summary[0].endswith("DRIFT: 7 finding(s)") and len(summary) == 2 + 7 + 1
    assert summary[-1].startswith("7 drift finding(s) and 0 audit error(s); see ") and shown["status"] == "failed"

    fix = run_role("volume_pairing")
    assert fix.rc == 0, fix
    assert_converged(sim, also={("prod", "dr"): {("vol-0007", "vol-0007"): ("Async", "Active", "Active")}})
    assert not any(v["name"] == "vol-0002" for v in edge.paired_volumes())
    # Undeclared pairs are left alone unless the entry is exclusive: the pending one stays drift.
    assert [v["name"] for v in prod.paired_volumes() if v["volumePairs"][0]["clusterPairID"] == 0] == ["vol-0008"]



def test_audit_reports_a_cluster_it_cannot_read(run_role, sim, tmp_path):
    sim.cluster("dr").set_offline()
    run = run_role("replication_audit", topology=TOPOLOGY[:1], replication_audit_report_dir=str(tmp_path))
    assert run.rc == 2, run
    report, markdown = load_report(tmp_path)
    assert report["clean"] is False and report["drift_count"] == 0
    assert len(report["errors"]) == 1 and report["errors"][0].startswith("prod -> dr: could not read the clusters")
    assert report["cluster_pairs"][0]["health"] == "unknown"
    assert "**Could not audit**" in markdown
    summary = task_results(run, "Show the audit summary; fail on drift")[0]["result"]["msg"]
    assert "COULD NOT AUDIT: 1 error(s)" in summary[0]


def test_a_clean_audit_run_again_is_not_changed_and_reads_each_cluster_once(run_role, sim, tmp_path):
    """Issue 26: one read of each cluster gives the facts, the lag and the plan (at most 6 calls for
    an entry's two clusters, none of them mutating), and a clean audit run again reports
    changed=false and leaves the report as it is; drift then changes it."""
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    topology = [{"source": "prod", "target": "dr", "rpo": "1h", "volumes": [{"volume": "vol-0001"}, {"volume": "vol-0002"}]}]
    assert run_role("volume_pairing", topology=topology).rc == 0
    reports = tmp_path / "reports"
    clear_calls(prod, dr)
    first = run_role("replication_audit", topology=topology, replication_audit_report_dir=str(reports))
    assert first.rc == 0, first
    calls = [c["method"] for c in prod.calls() + dr.calls()]
    assert len(calls) <= 6 and not mutating(prod) and not mutating(dr), calls
    # Both clusters list their connected pair, so each tells the other's identity: no GetClusterInfo.
    assert sorted(calls) == sorted(["ListClusterPairs", "ListVolumes"] * 2 + ["ListVolumeStats"])
    [audit] = [r["result"] for r in task_results(first, "Audit the topology and write the report")]
    assert audit["changed"] is True and audit["clean"] is True
    written = {p: (reports / p).read_bytes() for p in ("replication-audit.json", "replication-audit.md")}
    stamps = {p: (reports / p).stat().st_mtime_ns for p in written}

    again = run_role("replication_audit", topology=topology, replication_audit_report_dir=str(reports))
    assert again.rc == 0, again
    assert changed_tasks(again) == []
    [audit] = [r["result"] for r in task_results(again, "Audit the topology and write the report")]
    assert audit["changed"] is False and audit["files"] == [
        {"path": str(reports / p), "changed": False} for p in ("replication-audit.json", "replication-audit.md")]
    assert {p: (reports / p).read_bytes() for p in written} == written
    assert {p: (reports / p).stat().st_mtime_ns for p in written} == stamps

    prod.call("ModifyVolumePair", volumeID=volume_named(prod, "vol-0002")["volumeID"], pausedManual=True)
    drift = run_role("replication_audit", topology=topology, replication_audit_report_dir=str(reports))
    assert drift.rc == 2, drift
    [audit] = [r["result"] for r in task_results(drift, "Audit the topology and write the report")]
    assert audit["changed"] is True and audit["clean"] is False and audit["drift_count"] == 1
    assert json.loads((reports / "replication-audit.json").read_text())["drift_count"] == 1


@pytest.mark.parametrize("topology, message", [
    ([{"source": "prod", "target": "dr2"}, {"source": "prod", "target": "prod"}],
     ["volume_pairing_topology[0] (prod -> dr2): target 'dr2' is not a host of the inventory",
      "volume_pairing_topology[1] (prod -> prod): source and target are the same cluster"]),
    ([{"source": "prod", "target": "dr", "volumes": [{"volume": "vol-0001", "mdoe": "Sync"}]}],
     ["volume_pairing_topology.volumes.mdoe. Supported parameters include"]),
    ([{"source": "prod", "target": "dr", "mode": "async"}],
     ["value of mode must be one of: Async, Sync, SnapshotsOnly, got: async"]),
    ([{"source": "prod", "target": "dr", "paused": "maybe", "volumes": "vol-0001"}],
     ["argument 'paused' is of type str found in 'volume_pairing_topology'. and we were unable to convert to bool",
      "Elements value for option 'volumes' found in 'volume_pairing_topology' is of type str"]),
    ("prod -> dr", ["'volume_pairing_topology' is of type str and we were unable to convert to dict"]),
    # Issue 12: entries that contradict each other are refused as a whole, before the play changes anything.
    ([{"source": "prod", "target": "dr", "volumes": [{"volume": "vol-0001"}, {"volume": "vol-0002"}]},
      {"source": "edge", "target": "dr", "volumes": [{"volume": "vol-0003", "peer_volume": "vol-0002"}]}],
     ["volume vol-0002 on dr is named by more than one pair, and a volume can be in one pair only: "
      "volume_pairing_topology[0] (prod -> dr) volumes[1] (as target); volume_pairing_topology[1] (edge -> dr) "
      "volumes[0] (as target)"]),
])
def test_a_bad_topology_fails_before_any_call(run_role, sim, topology, message):
    clear_calls(*sim.clusters)
    run = run_role("volume_pairing", volume_pairing_topology=topology)
    assert run.rc == 2, run
    for text in message:
        assert text in run.stdout, run
    assert all(c.calls() == [] for c in sim.clusters)


def test_the_roles_share_one_topology_spec():
    """Each role documents and validates its own *_topology variable; the specs must not drift apart."""
    specs = {}
    for role in ("cluster_pairing", "volume_pairing", "replication_audit", "dr_failover"):
        options = yaml.safe_load((REPO / "roles" / role / "meta" / "argument_specs.yml").read_text())[
            "argument_specs"]["main"]["options"]
        specs[role] = json.dumps(options[role + "_topology"], sort_keys=True).replace(role + "_topology", "TOPOLOGY")
    assert specs["cluster_pairing"] == specs["volume_pairing"] == specs["replication_audit"] == specs["dr_failover"]
