# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""element_replication_audit's main() (what runs where the action plugin cannot), in-process,
against two in-memory clusters: one read of each, the report written only when what it says
changed, drift found, an unreadable cluster reported, secrets kept out."""

from __future__ import annotations

import json

import pytest

from ansible_collections.element.replication.plugins.modules import (
    element_cluster_pair, element_replication_audit, element_volume_pair)
from ansible_collections.element.replication.tests.unit.plugins.modules.fake_element import two_clusters
from ansible_collections.element.replication.tests.unit.plugins.modules.utils import (
    PASSWORD, PEER_PASSWORD, ModuleRun, connection)

TOPOLOGY = [{"source": "prod", "target": "dr", "volumes": [{"volume": "db01"}]}]


@pytest.fixture
def world():
    """prod and dr paired, db01 replicated from prod to dr."""
    network, prod, dr = two_clusters()
    run = ModuleRun(network)
    peer = dict(peer=connection(dr, password=PEER_PASSWORD))
    assert run(element_cluster_pair, dict(connection(prod), **peer))["changed"] is True
    assert run(element_volume_pair, dict(connection(prod), volume="db01", **peer))["changed"] is True
    return run, prod, dr


def args(prod, dr, tmp_path, topology=None):
    return dict(topology=topology or TOPOLOGY, report_path=str(tmp_path / "reports" / "audit"),
                clusters=[dict(connection(prod), name="prod"), dict(connection(dr, password=PEER_PASSWORD), name="dr")])


def test_a_clean_audit_reads_each_cluster_once_and_is_not_changed_when_run_again(world, tmp_path):
    run, prod, dr = world
    first = run(element_replication_audit, args(prod, dr, tmp_path))
    assert first["changed"] is True and first["clean"] is True and first["drift_count"] == 0
    assert run.mutating() == []
    # The clusters' connected pair entries tell each other's identity: no GetClusterInfo.
    assert sorted(run.calls()) == sorted([("prod", "ListClusterPairs"), ("prod", "ListVolumes"),
                                          ("prod", "ListVolumeStats"), ("dr", "ListClusterPairs"), ("dr", "ListVolumes")])
    report = json.loads((tmp_path / "reports" / "audit.json").read_text())
    assert report["clean"] is True and report["generated_at"] == first["generated_at"]
    [volume] = report["cluster_pairs"][0]["volume_pairs"]
    assert (volume["source_volume"], volume["health"], volume["source_cluster"], volume["target_volume_id"]) == (
        "db01", "healthy", "prod", 21)
    written = {p.name: p.read_bytes() for p in (tmp_path / "reports").iterdir()}

    again = run(element_replication_audit, args(prod, dr, tmp_path))
    assert again["changed"] is False and again["generated_at"] == first["generated_at"]
    assert [f["changed"] for f in again["files"]] == [False, False]
    assert {p.name: p.read_bytes() for p in (tmp_path / "reports").iterdir()} == written


def test_check_mode_writes_nothing_and_says_whether_it_would(world, tmp_path):
    run, prod, dr = world
    result = run(element_replication_audit, args(prod, dr, tmp_path), check_mode=True)
    assert result["changed"] is True and not (tmp_path / "reports").exists()


def test_drift_changes_the_report_and_the_diff_shows_the_converge(world, tmp_path):
    run, prod, dr = world
    run(element_replication_audit, args(prod, dr, tmp_path))
    prod.ModifyVolumePair(volumeID=next(i for i, v in prod.volumes.items() if v["name"] == "db01"), pausedManual=True)
    result = run(element_replication_audit, args(prod, dr, tmp_path), diff=True)
    assert result["changed"] is True and result["clean"] is False and result["drift_count"] == 1
    assert result["summary"][0].endswith("DRIFT: 1 finding(s)")
    assert [(v["source_volume_name"], v["paused"]) for v in result["diff"]["before"]["volume_pairs"]] == [("db01", True)]
    assert [(v["source_volume_name"], v["paused"]) for v in result["diff"]["after"]["volume_pairs"]] == [("db01", False)]
    assert json.loads((tmp_path / "reports" / "audit.json").read_text())["drift_count"] == 1


def test_a_cluster_that_cannot_be_read_is_an_audit_error_not_a_failure(world, tmp_path):
    run, prod, dr = world
    dr.fail("ListVolumes", "xPermissionDenied", "no volumes for %s" % PEER_PASSWORD)
    result = run(element_replication_audit, args(prod, dr, tmp_path))
    assert "failed" not in result and result["clean"] is False
    [error] = result["audit_errors"]
    assert error.startswith("prod -> dr: could not read the clusters") and "ListVolumes" in error
    text = json.dumps(result) + (tmp_path / "reports" / "audit.json").read_text()
    assert PASSWORD not in text and PEER_PASSWORD not in text


def test_a_host_without_connection_is_refused_before_any_call(world, tmp_path):
    run, prod, dr = world
    options = args(prod, dr, tmp_path, topology=TOPOLOGY + [{"source": "prod", "target": "edge"}])
    result = run(element_replication_audit, options)
    assert result["failed"] is True and result["msg"] == "clusters names no connection for edge, named by the topology"
    assert run.calls() == []


def test_without_clusters_the_module_refuses_before_any_call(world, tmp_path):
    """Only the action plugin can take the clusters from the inventory."""
    run, prod, dr = world
    options = args(prod, dr, tmp_path)
    del options["clusters"]
    result = run(element_replication_audit, options)
    assert result["failed"] is True and result["msg"] == "clusters is required where the action plugin does not run"
    assert run.calls() == [] and not (tmp_path / "reports").exists()
