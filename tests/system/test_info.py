# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""element_replication_info through ansible-playbook: every classification of the reconciled view,
each made with raw API calls against the simulator."""

from __future__ import annotations

import json

import pytest

from helpers import clear_calls, mutating, pair_clusters_raw, pair_volumes_raw, volume_named


def info(name, connection):
    return {"name": name, "element.replication.element_replication_info": connection}


def between(ansible, local, peer):
    return dict(ansible.connection(local), peer=ansible.connection(peer))


def by_volume(records):
    return {r["source_volume_name"]: r for r in records}


@pytest.fixture
def prod_dr(sim):
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    pair_clusters_raw(prod, dr)
    return prod, dr


def test_every_volume_pair_classification_from_both_sides(prod_dr, ansible, sim):
    prod, dr = prod_dr
    ids = {n: (volume_named(prod, n)["volumeID"], volume_named(dr, n)["volumeID"])
           for n in ("vol-0001", "vol-0003", "vol-0004", "vol-0005", "vol-0006", "vol-0007")}
    for name in ids:
        pair_volumes_raw(prod, dr, *ids[name], target_access=name != "vol-0007")
    prod.call("StartVolumePairing", volumeID=volume_named(prod, "vol-0002")["volumeID"])  # never completed
    dr.call("RemoveVolumePair", volumeID=ids["vol-0003"][1])  # only the source lists it
    prod.call("RemoveVolumePair", volumeID=ids["vol-0004"][0])  # only the target lists it
    prod.call("ModifyVolumePair", volumeID=ids["vol-0005"][0], pausedManual=True)
    dr.set_offline()  # the mode change reaches the source's half only
    prod.call("ModifyVolumePair", volumeID=ids["vol-0006"][0], mode="Sync")
    dr.set_online()
    for cluster in sim.clusters:
        cluster.clear_calls()

    run = ansible.play([info("from prod", between(ansible, "prod", "dr")),
                        info("from dr", between(ansible, "dr", "prod"))], check=True)
    assert run.rc == 0, run
    from_prod, from_dr = run.task("from prod"), run.task("from dr")
    assert from_prod["reconciled"]["cluster_pair"]["health"] == "healthy"
    expected = {"vol-0001": "healthy", "vol-0002": "pending", "vol-0003": "one-sided", "vol-0004": "one-sided",
                "vol-0005": "mismatched", "vol-0006": "mismatched", "vol-0007": "mismatched"}
    for result, local in ((from_prod, "prod"), (from_dr, "dr")):
        records = by_volume(result["reconciled"]["volume_pairs"])
        assert {n: r["health"] for n, r in records.items()} == expected
        # The readWrite volume is the source, whichever cluster the task calls local; when both
        # are readWrite (vol-0007), the local one.
        assert {n: r["source_cluster"] for n, r in records.items()} == dict.fromkeys(expected, "prod") | {"vol-0007": local}
        assert result["reconciled"]["summary"] == {"healthy": 1, "pending": 1, "one-sided": 2, "mismatched": 3}
    records = by_volume(from_prod["reconciled"]["volume_pairs"])
    assert records["vol-0001"]["reasons"] == []
    assert "never completed" in records["vol-0002"]["reasons"][0]
    assert records["vol-0003"]["reasons"][0].startswith("only prod lists pair")
    assert records["vol-0004"]["reasons"][0].startswith("only dr lists pair")
    assert records["vol-0005"]["reasons"] == ["replication is paused by hand on prod (vol-0005)"]
    assert records["vol-0006"]["reasons"] == ["mode differs between sides: Sync on prod, Async on dr"]
    assert records["vol-0007"]["reasons"][0].startswith("wrong access")

    # The real state agrees: the same halves are there, and reading changed nothing.
    assert mutating(prod) == [] and mutating(dr) == []
    listed = {v["name"]: v["volumePairs"][0] for v in prod.paired_volumes()}
    assert sorted(listed) == ["vol-0001", "vol-0002", "vol-0003", "vol-0005", "vol-0006", "vol-0007"]
    assert listed["vol-0003"]["remoteReplication"]["state"] == "StoppedMisconfigured"
    assert listed["vol-0005"]["remoteReplication"]["state"] == "PausedManual"
    assert {v["name"]: v["volumePairs"][0]["remoteReplication"]["mode"] for v in dr.paired_volumes()}["vol-0006"] == "Async"
    for secret in (prod.password, dr.password):
        assert secret not in json.dumps(run.results) and secret not in run.stdout


def test_cluster_pair_classifications(sim, ansible):
    prod, dr, edge, lab1, lab2, lab3 = (sim.cluster(n) for n in ("prod", "dr", "edge", "lab1", "lab2", "lab3"))
    pending_id = edge.call("StartClusterPairing")["clusterPairID"]  # pending: started, never completed
    pair_clusters_raw(lab2, lab3)
    lab3.call("RemoveClusterPair", clusterPairID=lab3.cluster_pairs()[0]["clusterPairID"])  # one-sided
    prod.settings(cluster_pair_connect_delay=3600)  # pairs stay Disconnected from now on
    pair_clusters_raw(prod, dr)
    clear_calls(*sim.clusters)
    run = ansible.play([info("pending", between(ansible, "edge", "lab1")),
                        info("one-sided", between(ansible, "lab2", "lab3")),
                        info("absent", between(ansible, "dr", "lab1")),
                        info("disconnected", between(ansible, "prod", "dr")),
                        info("one cluster", ansible.connection("lab2"))], peer=None)
    assert run.rc == 0, run
    health = {name: run.task(name)["reconciled"]["cluster_pair"]
              for name in ("pending", "one-sided", "absent", "disconnected")}
    assert health["pending"]["health"] == "pending"
    assert health["pending"]["reasons"] == ["pending cluster pair %d on edge was started and never completed" % pending_id]
    assert health["one-sided"]["health"] == "one-sided"
    assert "lab2 lists cluster pair" in health["one-sided"]["reasons"][0]
    assert health["absent"] == dict(health["absent"], health="absent", paired=False,
                                    reasons=["the clusters are not paired"])
    assert health["disconnected"]["health"] == "mismatched" and health["disconnected"]["paired"] is True
    assert "cluster pair is Disconnected on prod" in health["disconnected"]["reasons"]
    alone = run.task("one cluster")
    assert "reconciled" not in alone and alone["cluster"]["name"] == "lab2"
    assert [p["remote_cluster_name"] for p in alone["cluster_pairs"]] == ["lab3"]
    # The real state is as made: nothing repaired by reading.
    assert [p["clusterPairID"] for p in edge.cluster_pairs()] == [pending_id] and lab3.cluster_pairs() == []
    assert [p["status"] for p in prod.cluster_pairs()] == ["Disconnected"]
    assert all(mutating(c) == [] for c in sim.clusters)
