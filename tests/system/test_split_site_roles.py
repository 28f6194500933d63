# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Split-site topology entries (split_site: true) through playbooks/dr_setup.yml: no task gets both
clusters' credentials. One controller chains the start step on the source host and the complete
step on the target host; a controller per site runs its own step with --limit and hands the key
files over. The audit and failover need both clusters' credentials and say so; teardown is
refused. Nothing a run leaves behind, at -vvvv, holds a pairing key or a password."""

from __future__ import annotations

import shutil
import stat
from collections import Counter

import pytest

from artifact import install_artifact
from helpers import (changed_tasks, clear_calls, collection_playbook, item_results, mutating, replication_state,
                     scan_for_secrets, secret_values, site_inventory, task_results, topology_inventory)

TOPOLOGY = [
    {"source": "prod", "target": "dr", "split_site": True, "volumes": [
        {"volume": "vol-0001"}, {"volume": "vol-0002", "mode": "Sync"}, {"volume": "vol-0003", "peer_volume": "vol-0007"}]},
    {"source": "edge", "target": "dr", "volumes": [{"volume": "vol-0001", "peer_volume": "vol-0005"}]},
]
SPLIT_ONLY = TOPOLOGY[:1]
PAIRED = {("vol-0001", "vol-0001"): ("Async", "Active", "Active"),
          ("vol-0002", "vol-0002"): ("Sync", "Active", "Active"),
          ("vol-0003", "vol-0007"): ("Async", "Active", "Active")}
SPLIT_TASKS = {
    "Start pairing the split-site clusters, with the source cluster's credentials only": "prod",
    "Complete pairing the split-site clusters, with the target cluster's credentials only": "dr",
    "Start pairing the volumes of split-site entries, with the source cluster's credentials only": "prod",
    "Complete pairing the volumes of split-site entries, with the target cluster's credentials only": "dr",
}


def assert_one_cluster_per_task(run, sim):
    """Every split-site step ran on its own host and called its own cluster only (the modules
    report the side and the cluster of every call they make)."""
    for task, host in SPLIT_TASKS.items():
        items = item_results(run, task, host=host)
        assert items and all(item["actions"] for item in items), task
        for item in items:
            assert {(a["side"], a["cluster"]) for a in item["actions"]} == {("local", host)}, (task, item["actions"])


def key_files(directory):
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


def tree_of(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The collection built into its artifact and installed into a fresh collections path."""
    return install_artifact(tmp_path_factory.mktemp("installed"))


def test_the_keys_go_to_the_users_ansible_home_not_into_the_installed_collection(ansible, sim, tmp_path, installed):
    # Run as the guide says (the playbook by its FQCN, from the installed collection), without
    # cluster_pairing_key_dir: the start step's key files (credentials) land in the user's own
    # ANSIBLE_HOME, 0700 / 0600, and nothing is written into the collection (whose playbook_dir
    # may be read-only in an execution environment, or shared).
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    collection = installed / "ansible_collections" / "element" / "replication"
    before = tree_of(collection)
    home = tmp_path / "user" / ".ansible"
    inventory = site_inventory(sim, tmp_path / "site-a.yml", SPLIT_ONLY, own=["prod"], ansible_pipelining=True)
    run = ansible.playbook(None, playbook_path="element.replication.dr_setup", inventory=inventory,
                           extra_args=["--limit", "prod"],
                           env={"ANSIBLE_COLLECTIONS_PATH": str(installed), "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
                                "ANSIBLE_HOME": str(home)})
    assert run.rc == 0, run
    assert [p["status"] for p in prod.cluster_pairs()] == ["Unconfigured"] and dr.calls() == []
    keys = home / "element-keys"
    assert key_files(keys) == ["prod--dr.cluster-key", "prod--dr.volume-keys"]
    assert stat.S_IMODE(keys.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in keys.iterdir()} == {0o600}
    assert tree_of(collection) == before, "the run wrote into the installed collection"
    assert scan_for_secrets(secret_values(sim), [run], sim) == []


def test_one_controller_chains_start_and_complete(ansible, sim, tmp_path):
    prod, dr, edge = (sim.cluster(n) for n in ("prod", "dr", "edge"))
    keys = tmp_path / "keys"
    playbook = collection_playbook(ansible, topology_inventory(sim, tmp_path / "inventory.yml", TOPOLOGY,
                                                               ansible_pipelining=True, cluster_pairing_key_dir=str(keys)))
    runs = [playbook("dr_setup.yml", verbosity=4)]
    assert runs[0].rc == 0, runs[0]
    assert replication_state(prod, dr) == PAIRED
    assert replication_state(edge, dr) == {("vol-0001", "vol-0005"): ("Async", "Active", "Active")}
    assert_one_cluster_per_task(runs[0], sim)
    # The entry without split_site is paired as usual, by one task with both clusters.
    [normal] = item_results(runs[0], "Pair or unpair the clusters")
    assert normal["cluster_pairing_cluster_pair"]["label"] == "edge <-> dr"
    assert {(a["side"], a["cluster"]) for a in normal["actions"]} == {("local", "edge"), ("peer", "dr")}
    # The source cluster got the start calls only, the target the complete calls (and the access change).
    assert [c["method"] for c in mutating(prod)] == ["StartClusterPairing"] + ["StartVolumePairing"] * 3
    assert Counter(c["method"] for c in mutating(dr)) == {  # edge's pairing included
        "CompleteClusterPairing": 2, "CompleteVolumePairing": 3 + 1, "ModifyVolumes": 2}
    # The keys lived in a 0700 directory and are gone once used.
    assert stat.S_IMODE(keys.stat().st_mode) == 0o700 and key_files(keys) == []
    shown = [line for r in task_results(runs[0], "Show what changed") if r["status"] == "ok" for line in r["result"]["msg"]]
    assert "prod -> dr: vol-0002: started pairing of vol-0002 (Sync) (split-site start on prod)" in shown
    assert "prod -> dr: vol-0007: paired vol-0007 with vol-0003; set access of target vol-0007 to replicationTarget " \
        "(split-site complete on dr)" in shown

    clear_calls(*sim.clusters)
    runs.append(playbook("dr_setup.yml", verbosity=4))
    assert runs[-1].rc == 0 and changed_tasks(runs[-1]) == [], runs[-1]
    assert all(mutating(c) == [] for c in sim.clusters) and key_files(keys) == []

    # The audit reads both clusters of every entry, so it needs both credentials (which this
    # controller has), and finds the split-site entry as declared.
    runs.append(playbook("drift_audit.yml", replication_audit_report_dir=str(tmp_path / "reports")))
    assert runs[-1].rc == 0, runs[-1]
    assert "Replication audit of 2 cluster pair(s) and 4 volume pair(s): clean" in runs[-1].stdout

    # Teardown would remove pairs on both clusters at once: refused for split-site entries.
    clear_calls(*sim.clusters)
    runs.append(playbook("dr_teardown.yml", element_replication_teardown=True))
    assert runs[-1].rc == 2, runs[-1]
    assert "element_replication_topology[0] (prod -> dr): split_site: true does not support state absent" in runs[-1].stdout
    assert all(c.calls() == [] for c in sim.clusters)
    assert replication_state(prod, dr) == PAIRED

    secrets = secret_values(sim)
    assert scan_for_secrets(secrets, runs, sim) == []


def test_a_controller_per_site_hands_the_key_files_over(ansible, sim, tmp_path):
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    keys_a, keys_b = tmp_path / "keys-a", tmp_path / "keys-b"
    inventory_a = site_inventory(sim, tmp_path / "site-a.yml", SPLIT_ONLY, own=["prod"], ansible_pipelining=True,
                                 cluster_pairing_key_dir=str(keys_a))
    inventory_b = site_inventory(sim, tmp_path / "site-b.yml", SPLIT_ONLY, own=["dr"], ansible_pipelining=True,
                                 cluster_pairing_key_dir=str(keys_b))
    assert dr.password not in inventory_a.read_text() and prod.password not in inventory_b.read_text()
    site_a, site_b = collection_playbook(ansible, inventory_a), collection_playbook(ansible, inventory_b)
    runs = []

    # Without --limit, the host whose credentials are elsewhere is named, before any call.
    runs.append(site_a("dr_setup.yml"))
    assert runs[-1].rc == 2, runs[-1]
    assert "inventory host 'dr' has no element_hostname, element_username, element_password; with a controller per " \
        "site, run the play with --limit for the hosts whose credentials this controller holds" in runs[-1].stdout
    assert all(c.calls() == [] for c in sim.clusters)

    # Site A: the start steps on prod, with prod's credentials only.
    runs.append(site_a("dr_setup.yml", verbosity=4, extra_args=["--limit", "prod"]))
    assert runs[-1].rc == 0, runs[-1]
    assert dr.calls() == [], "site A never reaches dr"
    assert [p["status"] for p in prod.cluster_pairs()] == ["Unconfigured"] and dr.cluster_pairs() == []
    assert key_files(keys_a) == ["prod--dr.cluster-key", "prod--dr.volume-keys"]
    assert stat.S_IMODE(keys_a.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in keys_a.iterdir()} == {0o600}

    # The hand-over: the key files move to site B's key directory.
    keys_b.mkdir(mode=0o700)
    for path in keys_a.iterdir():
        shutil.move(str(path), str(keys_b / path.name))
    clear_calls(prod, dr)

    # Site B: the complete steps on dr, with dr's credentials only.
    runs.append(site_b("dr_setup.yml", verbosity=4, extra_args=["--limit", "dr"]))
    assert runs[-1].rc == 0, runs[-1]
    assert prod.calls() == [], "site B never reaches prod"
    assert [c["method"] for c in mutating(dr)] == ["CompleteClusterPairing"] + ["CompleteVolumePairing"] * 3 + [
        "ModifyVolumes"]
    assert replication_state(prod, dr) == PAIRED
    assert key_files(keys_b) == [], "used keys are removed"

    # Both sites again: nothing to do.
    clear_calls(prod, dr)
    for run, limit in ((site_a, "prod"), (site_b, "dr")):
        runs.append(run("dr_setup.yml", extra_args=["--limit", limit]))
        assert runs[-1].rc == 0 and changed_tasks(runs[-1]) == [], runs[-1]
    assert mutating(prod) == [] and mutating(dr) == []

    # The audit and failover drive both clusters of an entry in one task: they say so.
    for name in ("drift_audit.yml", "dr_failover.yml"):
        runs.append(site_a(name, extra_args=["--limit", "prod"]))
        assert runs[-1].rc == 2, runs[-1]
        assert "inventory host 'dr' has no element_hostname, element_username, element_password; this role needs " \
            "the credentials of both clusters on one controller, split-site entries included" in runs[-1].stdout
    assert replication_state(prod, dr) == PAIRED

    secrets = secret_values(sim)
    assert scan_for_secrets(secrets, runs, sim) == []


@pytest.mark.parametrize("topology, messages", [
    ([{"source": "prod", "target": "dr", "split_site": True, "exclusive": True,
       "volumes": [{"volume": "vol-0001", "paused": True}, {"volume": "vol-0002", "state": "absent"}]}],
     ["element_replication_topology[0] (prod -> dr): split_site: true does not support paused, exclusive, state absent"]),
    ([{"source": "prod", "target": "dr", "split_site": True}, {"source": "dr", "target": "prod"}],
     ["element_replication_topology[1] (dr -> prod): split_site differs from element_replication_topology[0], which shares its "
      "cluster pair"]),
])
def test_what_split_site_entries_cannot_do_fails_before_any_call(ansible, sim, tmp_path, topology, messages):
    playbook = collection_playbook(ansible, topology_inventory(sim, tmp_path / "inventory.yml", topology))
    clear_calls(*sim.clusters)
    run = playbook("dr_setup.yml")
    assert run.rc == 2, run
    for message in messages:
        assert message in run.stdout, run
    assert all(c.calls() == [] for c in sim.clusters)
