# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every module's EXAMPLES, run as written against the simulator, so that no example can rot.

The examples talk to prod-mvip.example.com and dr-mvip.example.com with the passwords in
prod_admin_password and dr_admin_password: the test points those names at the simulated prod and
dr clusters (and the CA and file paths at its own), nothing else. Each module's examples run in
their order; a few set-up steps run between them (the SETUP table, keyed by the example's task
name), as a reader would do between two examples. Afterwards the real state of both clusters is
checked.
"""

from __future__ import annotations

import ast

import pytest
import yaml

from helpers import REPO, ensure_account, pair_clusters_raw, pair_volumes_raw, pairs_between, volume_named

GIB = 1024 ** 3
MODULES = sorted(p.stem for p in (REPO / "plugins" / "modules").glob("element_*.py"))
# Volumes the examples name, as a user would have them: prod's sources, dr's targets.
PROD_VOLUMES = ("db01", "db02", "logs", "archive", "web01", "web02", "web03")
DR_VOLUMES = ("db01", "db02", "logs-replica", "archive")


def examples(module):
    tree = ast.parse((REPO / "plugins" / "modules" / ("%s.py" % module)).read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and node.targets[0].id == "EXAMPLES":
            return node.value.value
    raise AssertionError("%s has no EXAMPLES" % module)


def unpair_clusters(sim):
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    for a, b in pairs_between(prod, dr):
        prod.call("RemoveClusterPair", clusterPairID=a["clusterPairID"])
        dr.call("RemoveClusterPair", clusterPairID=b["clusterPairID"])


def replicate(*names):
    def setup(sim):
        prod, dr = sim.cluster("prod"), sim.cluster("dr")
        pair_clusters_raw(prod, dr)
        for name in names:
            pair_volumes_raw(prod, dr, volume_named(prod, name)["volumeID"], volume_named(dr, name)["volumeID"])
    return setup


def paired(sim):
    pair_clusters_raw(sim.cluster("prod"), sim.cluster("dr"))


def prod_offline(sim):
    sim.cluster("prod").set_offline()


def prod_online(sim):
    sim.cluster("prod").set_online()


# Before the example of that name: the situation it is written for.
SETUP = {
    "element_volume_pair": {"Replicate one volume to the volume of the same name on the DR cluster": paired},
    "element_cluster_pair": {
        "Split-site pairing, step 1 on the production controller (production credentials only)": unpair_clusters},
    "element_replication_failover": {
        "Planned failover of the database volumes to the DR cluster": replicate("db01", "db02"),
        "Production is lost, bring the DR copies up": prod_offline,
        "Production is back; make it the target of DR again (reprotect), then fail back": prod_online},
    "element_replication_info": {"Reconcile the replication between production and DR": replicate("db01")},
    "element_replication_audit": {"Audit the topology and write the report": replicate("db01")},
    "element_replication_rehearsal": {
        "Rehearse the DR copies of the database volumes at the DR site": replicate("db01", "db02")},
}


def verify_element_volume_pair(prod, dr):
    assert volume_named(prod, "db01")["volumePairs"] == [], "the last example stops replicating db01"
    assert volume_named(prod, "db02")["volumePairs"][0]["remoteVolumeName"] == "db02", "split-site pairing"
    assert volume_named(prod, "logs")["volumePairs"][0]["remoteVolumeName"] == "logs-replica"
    archive = volume_named(prod, "archive")["volumePairs"][0]["remoteReplication"]
    assert (archive["mode"], archive["state"]) == ("SnapshotsOnly", "PausedManual")
    tenant = next(a["accountID"] for a in dr.call("ListAccounts")["accounts"] if a["username"] == "dr-tenant")
    for name in ("web01", "web02", "web03"):
        target = volume_named(dr, name)
        assert (target["accountID"], target["access"]) == (tenant, "replicationTarget")


def verify_element_cluster_pair(prod, dr):
    assert pairs_between(prod, dr) == [], "the last example unpairs the clusters"


def verify_element_replication_failover(prod, dr):
    for name in ("db01", "db02"):
        assert (volume_named(prod, name)["access"], volume_named(dr, name)["access"]) == (
            "readWrite", "replicationTarget"), "failed back in the end"


def verify_element_replication_rehearsal(prod, dr):
    assert [v["name"] for v in dr.volumes() if v["status"] == "active" and v["name"].startswith("q4-test")] == [], \
        "the last example cleans the rehearsal up"
    assert dr.access_groups() == []
    for name in ("db01", "db02"):
        assert (volume_named(prod, name)["access"], volume_named(dr, name)["access"]) == (
            "readWrite", "replicationTarget"), "replication was never touched"
        assert volume_named(dr, name)["volumePairs"][0]["remoteReplication"]["state"] == "Active"


VERIFY = {"element_volume_pair": verify_element_volume_pair, "element_cluster_pair": verify_element_cluster_pair,
          "element_replication_failover": verify_element_replication_failover,
          "element_replication_rehearsal": verify_element_replication_rehearsal}


@pytest.fixture
def named_volumes(sim):
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    for cluster, names in ((prod, PROD_VOLUMES), (dr, DR_VOLUMES)):
        for name in names:
            cluster.call("CreateVolume", name=name, accountID=1, totalSize=GIB, enable512e=True)
    ensure_account(dr, "dr-tenant")
    return prod, dr


def pointed_at_the_simulator(text, sim, tmp_path):
    """The example's text with the example hosts, CA and file paths replaced by the simulator's."""
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    for old, new in (("prod-mvip.example.com", "%s:%s" % (prod.host, prod.port)),
                     ("dr-mvip.example.com", "%s:%s" % (dr.host, dr.port)),
                     ("/etc/pki/element-ca.pem", prod.ca_cert), ("/secure/", "%s/" % tmp_path),
                     ("/srv/reports/", "%s/" % tmp_path)):
        text = text.replace(old, new)
    return text


@pytest.mark.parametrize("module", MODULES)
def test_every_example_runs_as_written(sim, ansible, tmp_path, named_volumes, module):
    prod, dr = named_volumes
    tasks = yaml.safe_load(pointed_at_the_simulator(examples(module), sim, tmp_path))
    setup = SETUP.get(module, {})
    assert set(setup) <= {t["name"] for t in tasks}, "an example named in SETUP was renamed"
    play_vars = {"prod_admin_password": prod.password, "dr_admin_password": dr.password,
                 # The report example's inputs, as the audit role would have them.
                 "cluster_pairing_plan": {"entries": [], "cluster_pairs": []},
                 "infos": [], "cluster_checks": [], "volume_checks": []}
    env = {"ELEMENT_CA_PATH": prod.ca_cert, "ELEMENT_PEER_CA_PATH": dr.ca_cert}
    segments = [[]]
    for task in tasks:
        if task["name"] in setup:
            segments.append([])
        segments[-1].append(task)
    try:
        for segment in segments:
            if segment and segment[0]["name"] in setup:
                setup[segment[0]["name"]](sim)
            play = {"name": "examples of %s" % module, "hosts": "localhost", "connection": "local",
                    "gather_facts": False, "vars": play_vars, "tasks": segment}
            run = ansible.playbook([play], env=env)
            assert run.rc == 0, "%s\n%s" % ([t["name"] for t in segment], run)
    finally:
        prod.set_online()
    if module in VERIFY:
        VERIFY[module](prod, dr)
