# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Issue 24, items 3 and 11: typos inside a topology's snapshots (unknown keys, values that are not
booleans) are refused before anything runs, naming them; topology errors name the variable the
user set (element_replication_topology), not a role's own."""

from __future__ import annotations

import pytest

from helpers import collection_playbook, topology_inventory


@pytest.mark.parametrize("snapshots, words", [
    ({"name": "typo", "volumes": ["vol-0001"], "every": "1h", "retian": "1d"},
     "element_replication_topology[0] (prod -> dr) snapshots: unknown key retian; a snapshots group takes name, every"),
    ([{"every": "1h", "replicate": "maybe"}],
     "element_replication_topology[0] (prod -> dr) snapshots[0]: replicate 'maybe' is not a boolean (true or false)"),
], ids=["unknown-key", "not-a-boolean"])
def test_typos_in_snapshots_are_refused_before_any_call(sim, ansible, tmp_path, snapshots, words):
    topology = [{"source": "prod", "target": "dr", "mode": "SnapshotsOnly", "volumes": [{"volume": "vol-0001"}],
                 "snapshots": snapshots}]
    run = collection_playbook(ansible, topology_inventory(sim, tmp_path / "inventory.yml", topology))
    for cluster in sim.clusters:
        cluster.clear_calls()
    result = run("dr_setup.yml")
    assert result.rc != 0 and words in result.stdout, result
    assert all(c.calls() == [] for c in sim.clusters), "nothing is read or changed"
    assert sim.cluster("prod").call("ListSchedules")["schedules"] == []


@pytest.mark.parametrize("playbook", ["dr_setup.yml", "dr_failover.yml", "drift_audit.yml"])
def test_topology_errors_name_the_variable_the_user_set(sim, ansible, tmp_path, playbook):
    topology = [{"source": "prod", "target": "dr", "volumes": [{"volume": "vol-0001"}]},
                {"source": "prod", "target": "dr2", "volumes": [{"volume": "vol-0002"}]}]
    run = collection_playbook(ansible, topology_inventory(sim, tmp_path / "inventory.yml", topology))
    result = run(playbook)
    assert result.rc != 0, result
    assert "element_replication_topology[1] (prod -> dr2): target 'dr2' is not a host of the inventory" in \
        result.stdout, result
    assert "_topology[1]" not in result.stdout.replace("element_replication_topology[1]", ""), result


@pytest.mark.parametrize("rpo, words", [
    ("", "element_replication_topology[0] (prod -> dr): rpo '' is not a duration"),
    ("15M", "element_replication_topology[0] (prod -> dr): rpo '15M' is not a duration: units are lowercase"),
], ids=["empty", "uppercase-unit"])
def test_an_empty_rpo_or_an_uppercase_unit_is_refused_before_any_call(sim, ansible, tmp_path, rpo, words):
    topology = [{"source": "prod", "target": "dr", "rpo": rpo, "volumes": [{"volume": "vol-0001"}]}]
    run = collection_playbook(ansible, topology_inventory(sim, tmp_path / "inventory.yml", topology))
    for cluster in sim.clusters:
        cluster.clear_calls()
    result = run("dr_setup.yml")
    assert result.rc != 0 and words in result.stdout, result
    assert all(c.calls() == [] for c in sim.clusters)


# Every playbook the user runs, with what it needs to get past its own questions.
PLAYBOOKS = {"dr_setup.yml": {}, "dr_teardown.yml": {"element_replication_teardown": True}, "drift_audit.yml": {},
             "dr_failover.yml": {}, "dr_failback.yml": {}, "dr_rehearsal.yml": {}, "dr_rehearsal_cleanup.yml": {}}
ROLE_TOPOLOGIES = ("cluster_pairing_topology", "volume_pairing_topology", "replication_audit_topology",
                   "dr_failover_topology", "dr_rehearsal_topology")


@pytest.mark.parametrize("playbook", sorted(PLAYBOOKS))
def test_unknown_keys_of_entries_and_volumes_name_the_variable_the_user_set(sim, ansible, tmp_path, playbook):
    """A typo that the roles' argument specs would catch first (naming their own variable: an unknown key,
    a mode that is not a choice) is refused by the playbook's first task, naming
    element_replication_topology[N] and the key; nothing is called."""
    topology = [{"source": "prod", "target": "dr", "volumes": [{"volume": "vol-0001", "mode": "Snc"}]},
                {"source": "prod", "target": "edge", "volumes": [{"volume": "vol-0002", "mdoe": "Sync"}]},
                {"source": "prod", "target": "lab1", "exlcusive": True, "volumes": [{"volume": "vol-0003"}]}]
    run = collection_playbook(ansible, topology_inventory(sim, tmp_path / "inventory.yml", topology))
    for cluster in sim.clusters:
        cluster.clear_calls()
    result = run(playbook, **PLAYBOOKS[playbook])
    assert result.rc != 0, result
    assert "element_replication_topology[1] (prod -> edge) volumes[0]: unknown key mdoe; a volume takes volume," \
        in result.stdout, result
    assert "element_replication_topology[2] (prod -> lab1): unknown key exlcusive; an entry takes source," \
        in result.stdout, result
    assert "element_replication_topology[0] (prod -> dr) volumes[0]: mode 'Snc' is not one of Async, Sync, " \
        "SnapshotsOnly" in result.stdout, result
    assert not [name for name in ROLE_TOPOLOGIES if name in result.stdout], result.stdout
    assert all(c.mutating_calls() == [] for c in sim.clusters), "nothing is changed"
    assert all(c.calls() == [] for c in sim.clusters), "nothing is even read"


def test_values_of_the_wrong_type_name_the_variable_the_user_set(sim, ansible, tmp_path):
    """A value the roles' argument specs would refuse by type (naming their own variable) is refused by
    the playbook's first task, naming element_replication_topology[N], the key and what was expected."""
    topology = [{"source": "prod", "target": "dr", "volumes": "vol-0001"},
                {"source": "prod", "target": "edge", "volumes": [{"volume": "vol-0002", "volume_id": "two"}]}]
    run = collection_playbook(ansible, topology_inventory(sim, tmp_path / "inventory.yml", topology))
    for cluster in sim.clusters:
        cluster.clear_calls()
    result = run("dr_setup.yml")
    assert result.rc != 0, result
    for words in ("element_replication_topology[0] (prod -> dr): volumes 'vol-0001' is not a list of dicts",
                  "element_replication_topology[1] (prod -> edge) volumes[0]: volume_id 'two' is not an integer"):
        assert words in result.stdout, result
    assert "volume_pairing_topology" not in result.stdout and "Traceback" not in result.stdout, result
    assert all(c.mutating_calls() == [] for c in sim.clusters), "nothing is changed"
    assert sim.cluster("prod").call("ListSchedules")["schedules"] == []
