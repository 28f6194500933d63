# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Issue 12, what a new user hit: failover of a pair whose volumes have different names, what an
unplanned failover says to reconcile, and messages for clusters that do not answer. (The refusals
are rows of the bad input catalogue; the declared pause is in test_failover_roles.)"""

from __future__ import annotations

import re

import pytest

from helpers import (clear_calls, collection_playbook, mutating, pair_clusters_raw, pair_volumes_raw, topology_inventory,
                     volume_named)

GIB = 1024 ** 3


@pytest.fixture
def renamed(sim):
    """prod's app-src replicates to dr's app-dst, Active."""
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    source = prod.call("CreateVolume", name="app-src", accountID=1, totalSize=GIB, enable512e=True)["volumeID"]
    target = dr.call("CreateVolume", name="app-dst", accountID=1, totalSize=GIB, enable512e=True)["volumeID"]
    pair_clusters_raw(prod, dr)
    pair_volumes_raw(prod, dr, source, target)
    clear_calls(prod, dr)
    return prod, dr


def failover(primary, **params):
    return {"name": "failover", "element.replication.element_replication_failover": dict(
        primary=primary, wait_timeout=30, **params)}


def test_the_peer_volume_is_found_through_the_pair(renamed, ansible):
    prod, dr = renamed
    run = ansible.play([failover("peer", pairs=[{"volume": "app-src"}])])
    assert run.rc == 0, run
    assert (volume_named(prod, "app-src")["access"], volume_named(dr, "app-dst")["access"]) == (
        "replicationTarget", "readWrite")
    pair = run.task("failover")["volume_pairs"][0]
    assert pair["peer_volume_name"] == "app-dst"
    assert pair["notes"] == ["peer volume app-dst (ID %d) is the one the pair of app-src points at"
                             % volume_named(dr, "app-dst")["volumeID"]]


def test_unplanned_failover_names_the_lost_cluster_s_volumes(renamed, ansible):
    prod, dr = renamed
    prod.set_offline()
    run = ansible.play([failover("peer", type="unplanned", pairs=[{"volume": "app-src"}])])
    prod.set_online()
    assert run.rc == 0, run
    assert volume_named(dr, "app-dst")["access"] == "readWrite"
    assert volume_named(prod, "app-src")["access"] == "readWrite", "the lost cluster is not touched"
    reconcile = run.task("failover")["reconcile_later"][0]
    assert "its volumes of these pairs (app-src) are probably still readWrite" in reconcile
    assert "app-dst" not in reconcile


def test_a_cluster_that_does_not_answer_is_named_with_what_to_do(renamed, ansible):
    prod, dr = renamed
    prod.set_offline()
    run = ansible.play([failover("peer", pairs=[{"volume": "app-src"}])])
    prod.set_online()
    assert run.rc != 0
    msg = run.task("failover")["msg"]
    address = "%s:%s" % (prod.host, prod.port)
    assert re.match(r"cluster %s: \w+ failed: lost the connection to %s: the (connection was reset|cluster "
                    r"closed the connection without answering)" % (re.escape(address), re.escape(address)), msg), msg
    assert "if cluster %s:%s is lost, fail over with type=unplanned" % (prod.host, prod.port) in msg
    assert "RemoteDisconnected" not in msg and "Connection aborted" not in msg
    assert mutating(dr) == []


def test_roles_and_the_audit_name_the_inventory_host(sim, ansible, tmp_path):
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    topology = [{"source": "prod", "target": "dr", "volumes": [{"volume": "vol-0001"}]}]
    playbook = collection_playbook(ansible, topology_inventory(sim, tmp_path / "inventory.yml", topology))
    assert playbook("dr_setup.yml").rc == 0
    prod.set_offline()
    audit = playbook("drift_audit.yml", replication_audit_report_dir=str(tmp_path / "reports"))
    prod.set_online()
    assert audit.rc == 2
    report = (tmp_path / "reports" / "replication-audit.md").read_text()
    # the reads of both clusters overlap, so whichever call meets the dead cluster first is named
    assert re.search(r"cluster prod \(%s:%s\): \w+ failed: lost the connection to" % (prod.host, prod.port), report)
    assert "Connection aborted" not in report


def test_modes_are_case_insensitive_as_in_the_api(sim, ansible):
    """mode shows its choices in the docs and still takes any case (the action plugin spells it)."""
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    pair_clusters_raw(prod, dr)
    run = ansible.play([{"name": "pair", "element.replication.element_volume_pair": {
        "mode": "sync", "pairs": [{"volume": "vol-0001"}, {"volume": "vol-0002", "mode": "SNAPSHOTSONLY"}]}}])
    assert run.rc == 0, run
    modes = [volume_named(prod, name)["volumePairs"][0]["remoteReplication"]["mode"] for name in ("vol-0001", "vol-0002")]
    assert modes == ["Sync", "SnapshotsOnly"]
