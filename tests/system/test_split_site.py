# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Split-site pairing: every run holds one cluster's credentials only; the key travels in a file."""

from __future__ import annotations

import json
import stat

from helpers import clear_calls, pairs_between, scan_for_secrets, secret_values, volume_pairs_between

VOLUMES = [{"volume": "vol-0001"}, {"volume": "vol-0002", "mode": "Sync"}, {"volume": "vol-0003"}]


def cluster_step(step, key_file, name="step", **params):
    return {"name": name, "element.replication.element_cluster_pair": dict(step=step, pairing_key_file=str(key_file),
                                                                          **params)}


def volume_step(step, key_file, name="step"):
    return {"name": name, "element.replication.element_volume_pair": dict(step=step, pairing_key_file=str(key_file),
                                                                         pairs=VOLUMES)}


def only_own_password(run, sim, own):
    """The run's playbook holds this cluster's password and no other's."""
    text = run.playbook.read_text()
    return sim.cluster(own).password in text and not any(
        c.password in text for c in sim.clusters if c.name != own)


def test_split_site_cluster_and_volume_pairing(sim, ansible, tmp_path):
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    cluster_key, volume_keys = tmp_path / "prod-dr.key", tmp_path / "prod-dr-volumes.keys"
    runs = []

    # Step 1 on the production side, with production credentials only.
    check = ansible.play([cluster_step("start", cluster_key, peer_cluster="dr")], peer=None, check=True)
    assert check.rc == 0, check
    assert not cluster_key.exists() and [c for c in prod.calls() if c["mutating"]] == []
    start = ansible.play([cluster_step("start", cluster_key, peer_cluster="dr")], peer=None, verbosity=4)
    runs.append(start)
    assert start.rc == 0, start
    assert only_own_password(start, sim, "prod")
    assert stat.S_IMODE(cluster_key.stat().st_mode) == 0o600
    assert [p["status"] for p in prod.cluster_pairs()] == ["Unconfigured"] and dr.cluster_pairs() == []
    again = ansible.play([cluster_step("start", cluster_key, peer_cluster="dr")], peer=None)
    assert again.task("step")["changed"] is True and "removed pending pair" in again.task("step")["repairs"][0]
    assert len(prod.cluster_pairs()) == 1, "a new start replaces the pending pair"

    # Step 2 on the DR side, with DR credentials only.
    complete = ansible.play([cluster_step("complete", cluster_key)], local="dr", peer=None, verbosity=4)
    runs.append(complete)
    assert complete.rc == 0, complete
    assert only_own_password(complete, sim, "dr")
    [(on_prod, on_dr)] = pairs_between(prod, dr)
    assert on_prod["status"] == on_dr["status"] == "Connected"
    assert ansible.play([cluster_step("complete", cluster_key)], local="dr", peer=None).task("step")["changed"] is False
    assert ansible.play([cluster_step("start", cluster_key, peer_cluster="dr")], peer=None).task("step")["changed"] is False

    # Volumes the same way.
    start = ansible.play([volume_step("start", volume_keys)], peer=None, verbosity=4)
    runs.append(start)
    assert start.rc == 0, start
    assert stat.S_IMODE(volume_keys.stat().st_mode) == 0o600
    assert sorted(json.loads(volume_keys.read_text())["volume_pairing_keys"]) == ["vol-0001", "vol-0002", "vol-0003"]
    complete = ansible.play([volume_step("complete", volume_keys)], local="dr", peer=None, verbosity=4)
    runs.append(complete)
    assert complete.rc == 0, complete
    pairs = volume_pairs_between(prod, dr)
    assert sorted(pairs) == [("vol-0001", "vol-0001"), ("vol-0002", "vol-0002"), ("vol-0003", "vol-0003")]
    assert all(target["access"] == "replicationTarget" for _source, target in pairs.values())
    assert pairs[("vol-0002", "vol-0002")][0]["volumePairs"][0]["remoteReplication"]["mode"] == "Sync"
    assert {s["volumePairs"][0]["remoteReplication"]["state"] for s, _t in pairs.values()} == {"Active"}

    clear_calls(prod, dr)
    for step, local in (("start", "prod"), ("complete", "dr")):
        run = ansible.play([volume_step(step, volume_keys)], local=local, peer=None)
        assert run.rc == 0 and run.task("step")["changed"] is False, run
    assert [c for c in prod.calls() + dr.calls() if c["mutating"]] == []

    secrets = secret_values(sim)
    assert scan_for_secrets(secrets, runs, sim) == []


def test_a_replaced_key_is_refused_clearly(sim, ansible, tmp_path):
    first, second = tmp_path / "first.key", tmp_path / "second.key"
    assert ansible.play([cluster_step("start", first)], peer=None).rc == 0
    assert ansible.play([cluster_step("start", second)], peer=None).rc == 0
    stale = ansible.play([cluster_step("complete", first)], local="dr", peer=None)
    assert stale.rc != 0
    assert "xInvalidPairingKey" in stale.task("step")["msg"] and "run the start step again" in stale.task("step")["msg"]
    assert sim.cluster("dr").cluster_pairs() == []
    assert ansible.play([cluster_step("complete", second)], local="dr", peer=None).rc == 0
    assert len(pairs_between(sim.cluster("prod"), sim.cluster("dr"))) == 1


def test_complete_without_the_start_step_names_the_missing_keys(sim, ansible, tmp_path):
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    key_file = tmp_path / "keys"
    assert ansible.play([cluster_step("start", key_file)], peer=None).rc == 0
    assert ansible.play([cluster_step("complete", key_file)], local="dr", peer=None).rc == 0
    volume_file = tmp_path / "volume.keys"
    partial = {"name": "step", "element.replication.element_volume_pair": {
        "step": "start", "pairing_key_file": str(volume_file), "pairs": VOLUMES[:1]}}
    assert ansible.play([partial], peer=None).rc == 0
    run = ansible.play([volume_step("complete", volume_file)], local="dr", peer=None)
    assert run.rc != 0
    assert "pair 2 (volume vol-0002): no pairing key for pair 2 (volume vol-0002) in the key file" in run.task("step")["msg"]
    assert list(volume_pairs_between(prod, dr)) == [("vol-0001", "vol-0001")]
