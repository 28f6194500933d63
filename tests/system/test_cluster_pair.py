# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""element_cluster_pair through ansible-playbook against the simulator."""

from __future__ import annotations

import pytest

from element_sim.harness import SimulatorProcess
from helpers import mutating, pair_clusters_raw, pair_volumes_raw, pairs_between, volume_named

PAIR = {"name": "pair", "element.replication.element_cluster_pair": {"state": "present"}}
UNPAIR = {"name": "unpair", "element.replication.element_cluster_pair": {"state": "absent"}}


def test_check_then_real_then_real_again(sim, ansible):
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    check = ansible.play([PAIR], check=True, diff=True)
    assert check.rc == 0, check
    result = check.task("pair")
    assert result["changed"] is True
    assert [a["method"] for a in result["actions"]] == ["StartClusterPairing", "CompleteClusterPairing"]
    assert result["actions"][1]["cluster"] == "dr" and result["actions"][1]["params"] == {"clusterPairingKey": "********"}
    assert result["diff"]["before"]["local"]["pairs"] == []
    assert result["diff"]["after"]["local"]["pairs"][0]["status"] == "Connected"
    assert mutating(prod) == [] and mutating(dr) == [], "check mode must not change anything"
    assert pairs_between(prod, dr) == [] and prod.cluster_pairs() == []

    real = ansible.play([PAIR], diff=True)
    assert real.rc == 0, real
    result = real.task("pair")
    assert result["changed"] is True
    [(on_prod, on_dr)] = pairs_between(prod, dr)
    assert on_prod["status"] == on_dr["status"] == "Connected"
    pair = result["cluster_pair"]
    assert pair["local_cluster_pair_id"] == on_prod["clusterPairID"]
    assert pair["peer_cluster_pair_id"] == on_dr["clusterPairID"]
    assert pair["cluster_pair_uuid"] == on_prod["clusterPairUUID"] == on_dr["clusterPairUUID"]
    assert (pair["peer_name"], pair["peer_unique_id"], pair["peer_mvip"]) == ("dr", dr.unique_id, dr.mvip)
    assert pair["local_status"] == pair["peer_status"] == "Connected"
    assert result["diff"]["after"]["peer"]["pairs"][0]["cluster_pair_id"] == on_dr["clusterPairID"]

    prod.clear_calls()
    dr.clear_calls()
    again = ansible.play([PAIR])
    assert again.rc == 0, again
    assert again.task("pair")["changed"] is False and again.task("pair")["actions"] == []
    assert len(prod.calls()) + len(dr.calls()) <= 4, "a no-op run makes at most 4 API calls"
    assert len(pairs_between(prod, dr)) == 1 and len(prod.cluster_pairs()) == 1 and len(dr.cluster_pairs()) == 1


def test_address_spelling_does_not_pair_twice(sim, ansible):
    """FQDN vs IP, and a port inside hostname, still find the existing pair."""
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    pair_clusters_raw(prod, dr)
    spellings = [{"hostname": "https://%s" % dr.host}, {"hostname": "%s:%d" % (dr.host, dr.port), "port": 1}]
    if dr.host == "127.0.0.1":  # the only address with a name (not so with an address per cluster)
        spellings.append({"hostname": "localhost"})
    for peer in spellings:
        task = {"name": "pair", "element.replication.element_cluster_pair": {
            "peer": dict(ansible.connection("dr"), **peer)}}
        run = ansible.play([task])
        assert run.rc == 0, run
        assert run.task("pair")["changed"] is False
    assert len(prod.cluster_pairs()) == 1 and len(dr.cluster_pairs()) == 1


def _start_pending(cluster):
    cluster.call("StartClusterPairing")


def _one_sided(keep, drop):
    pair_clusters_raw(keep, drop)
    for pair in drop.cluster_pairs():
        drop.call("RemoveClusterPair", clusterPairID=pair["clusterPairID"])


@pytest.mark.parametrize("damage, pending_repairs, stale_repairs", [
    (lambda prod, dr: _start_pending(prod), 1, 0),
    (lambda prod, dr: _start_pending(dr), 1, 0),
    (lambda prod, dr: [_start_pending(prod), _start_pending(prod), _start_pending(dr)], 3, 0),
    (lambda prod, dr: _one_sided(prod, dr), 0, 1),
    (lambda prod, dr: _one_sided(dr, prod), 0, 1),
], ids=["pending-local", "pending-peer", "several-pending", "one-sided-local", "one-sided-peer"])
def test_half_states_are_repaired(sim, ansible, damage, pending_repairs, stale_repairs):
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    damage(prod, dr)
    prod.clear_calls()
    dr.clear_calls()
    check = ansible.play([PAIR], check=True)
    assert check.rc == 0, check
    repairs = check.task("pair")["repairs"]
    assert sum("removed pending pair" in r for r in repairs) == pending_repairs
    assert sum("removed pair" in r for r in repairs) == stale_repairs
    assert mutating(prod) == [] and mutating(dr) == []

    run = ansible.play([PAIR])
    assert run.rc == 0, run
    result = run.task("pair")
    assert result["changed"] is True and len(result["repairs"]) == pending_repairs + stale_repairs
    [(on_prod, on_dr)] = pairs_between(prod, dr)
    assert on_prod["status"] == on_dr["status"] == "Connected"
    assert len(prod.cluster_pairs()) == 1 and len(dr.cluster_pairs()) == 1, "no pending or stale entry may remain"
    assert ansible.play([PAIR]).task("pair")["changed"] is False


def test_absent_removes_both_sides_then_is_a_no_op(sim, ansible):
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    pair_clusters_raw(prod, dr)
    prod.clear_calls()
    dr.clear_calls()
    check = ansible.play([UNPAIR], check=True, diff=True)
    assert check.task("unpair")["changed"] is True and mutating(prod) == [] and mutating(dr) == []
    assert len(pairs_between(prod, dr)) == 1
    run = ansible.play([UNPAIR])
    assert run.rc == 0, run
    assert run.task("unpair")["changed"] is True and run.task("unpair")["cluster_pair"] == {}
    assert prod.cluster_pairs() == [] and dr.cluster_pairs() == []
    assert ansible.play([UNPAIR]).task("unpair")["changed"] is False


@pytest.mark.parametrize("gone", ["prod", "dr"])
def test_absent_converges_when_one_side_is_already_gone(sim, ansible, gone):
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    _one_sided(dr if gone == "prod" else prod, sim.cluster(gone))
    run = ansible.play([UNPAIR])
    assert run.rc == 0, run
    assert run.task("unpair")["changed"] is True
    assert prod.cluster_pairs() == [] and dr.cluster_pairs() == []


def test_absent_is_refused_while_volume_pairs_exist(sim, ansible):
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    pair_clusters_raw(prod, dr)
    source, target = volume_named(prod, "vol-0001"), volume_named(dr, "vol-0001")
    pair_volumes_raw(prod, dr, source["volumeID"], target["volumeID"])
    prod.clear_calls()
    dr.clear_calls()
    run = ansible.play([UNPAIR])
    assert run.rc != 0
    msg = run.task("unpair")["msg"]
    assert "cannot unpair clusters prod and dr" in msg and "vol-0001 (ID %d)" % source["volumeID"] in msg
    assert mutating(prod) == [] and mutating(dr) == []
    assert len(pairs_between(prod, dr)) == 1


def test_a_fifth_cluster_pair_is_refused(sim, ansible):
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    for other in ("edge", "lab1", "lab2", "lab3"):
        pair_clusters_raw(prod, sim.cluster(other))
    prod.clear_calls()
    run = ansible.play([PAIR])
    assert run.rc != 0
    msg = run.task("pair")["msg"]
    assert "cluster prod already has the maximum of 4 cluster pairs" in msg
    for other in ("edge", "lab1", "lab2", "lab3"):
        assert "with %s" % other in msg
    assert mutating(prod) == [] and mutating(dr) == [] and dr.cluster_pairs() == []


def test_failed_completion_is_rolled_back_and_reported(sim, ansible):
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    dr.add_fault("CompleteClusterPairing", "error", error="xExceededLimit", message="too many pairs")
    run = ansible.play([PAIR])
    assert run.rc != 0
    result = run.task("pair")
    assert "dr" in result["msg"] and "CompleteClusterPairing" in result["msg"] and "xExceededLimit" in result["msg"]
    assert result["error"]["error_name"] == "xExceededLimit"
    assert prod.cluster_pairs() == [], "the pending pair started on prod must be rolled back"
    assert dr.cluster_pairs() == []
    assert ansible.play([PAIR]).rc == 0 and len(pairs_between(prod, dr)) == 1


def test_wait_for_connected(sim, ansible):
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    prod.settings(cluster_pair_connect_delay=2)
    run = ansible.play([{"name": "pair", "element.replication.element_cluster_pair": {"wait_timeout": 20}}])
    assert run.rc == 0, run
    assert run.task("pair")["cluster_pair"]["local_status"] == "Connected"
    assert run.task("pair")["cluster_pair"]["peer_status"] == "Connected"
    assert len(pairs_between(prod, dr)) == 1


def test_changed_mvip_does_not_pair_again(tmp_path, collections_path):
    """Restart the clusters on new ports (new MVIPs): the pair is still recognised."""
    from helpers import Ansible

    sim = SimulatorProcess(tmp_path / "sim", clusters=2, names=["site1", "site2"]).start()
    try:
        ansible = Ansible(sim, tmp_path, collections_path)
        assert ansible.play([PAIR], local="site1", peer="site2").rc == 0
        old_port = sim.cluster("site2").port
        sim.restart()
        assert sim.cluster("site2").port != old_port
        run = ansible.play([PAIR], local="site1", peer="site2")
        assert run.rc == 0, run
        assert run.task("pair")["changed"] is False
        assert len(sim.cluster("site1").cluster_pairs()) == 1 and len(sim.cluster("site2").cluster_pairs()) == 1
    finally:
        sim.stop()
