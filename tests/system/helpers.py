# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Running playbooks and reading the simulated clusters' real state, for the system tests."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
CALLBACKS = Path(__file__).resolve().parent / "callback_plugins"
# prod pairs with up to four others in the limit tests; dr is everyone's usual peer.
NAMES = ["prod", "dr", "edge", "lab1", "lab2", "lab3"]
VOLUMES = 12
ANSIBLE_BIN = Path(os.environ.get("ANSIBLE_BIN_DIR") or Path(sys.executable).parent)


def reset(sim):
    """Back to the baseline: nothing paired, baseline volumes only, readWrite, no faults."""
    sim.clusters[0].restore_links()
    for cluster in sim.clusters:
        cluster.set_online()
        cluster.clear_faults()
    sim.clusters[0].settings(cluster_pair_connect_delay=0, volume_pair_sync_delay=0, clone_seconds=0.5,
                             async_delay_seconds=0.5, lag_drain_rate=10, snapshot_transfer_seconds=0)
    for cluster in sim.clusters:
        for volume in cluster.paired_volumes():
            cluster.call("RemoveVolumePair", volumeID=volume["volumeID"])
        for volume in cluster.volumes():
            base = sim.baseline[cluster.name].get(volume["volumeID"])
            if base is None:
                cluster.call("DeleteVolume", volumeID=volume["volumeID"])
                cluster.call("PurgeDeletedVolume", volumeID=volume["volumeID"])
                continue
            if volume["status"] == "deleted":
                cluster.call("RestoreDeletedVolume", volumeID=volume["volumeID"])
            if volume["access"] != base["access"]:
                cluster.call("ModifyVolume", volumeID=volume["volumeID"], access=base["access"])
    for cluster in sim.clusters:
        for pair in cluster.cluster_pairs():
            cluster.call("RemoveClusterPair", clusterPairID=pair["clusterPairID"])
        for group in cluster.access_groups():
            cluster.call("DeleteVolumeAccessGroup", volumeAccessGroupID=group["volumeAccessGroupID"], force=True)
        for schedule in cluster.call("ListSchedules")["schedules"]:
            cluster.call("ModifySchedule", scheduleID=schedule["scheduleID"], toBeDeleted=True)
        for snapshot in cluster.call("ListSnapshots")["snapshots"]:
            cluster.call("DeleteSnapshot", snapshotID=snapshot["snapshotID"])
    for cluster in sim.clusters:
        cluster.clear_calls()


class PlaybookRun:
    def __init__(self, returncode, stdout, stderr, results, playbook):
        self.rc = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.results = results
        self.playbook = playbook

    def task(self, name):
        """The result of the last run of the task with this name."""
        found = [r for r in self.results if r["task"] == name]
        assert found, "task %r did not run; output:\n%s\n%s" % (name, self.stdout[-3000:], self.stderr[-2000:])
        return found[-1]["result"]

    def __repr__(self):
        failed = [(r["task"], r["result"].get("msg")) for r in self.results if r["status"] != "ok"]
        return "PlaybookRun(rc=%s, failed=%r)" % (self.rc, failed)

    def __str__(self):
        return "%r\n%s\n%s" % (self, self.stdout[-4000:], self.stderr[-2000:])


class Ansible:
    """Runs playbooks with ansible-playbook from the same environment as the tests."""

    def __init__(self, sim, workdir, collections_path):
        self.sim = sim
        self.workdir = Path(workdir)
        self.collections_path = collections_path
        self.runs = 0

    def connection(self, name):
        cluster = self.sim.cluster(name)
        return {"hostname": cluster.host, "port": cluster.port, "username": cluster.username,
                "password": cluster.password, "ca_path": cluster.ca_cert}

    def defaults(self, local="prod", peer="dr"):
        """module_defaults for the collection's action group: this cluster and its peer."""
        values = self.connection(local)
        if peer:
            values["peer"] = self.connection(peer)
        return {"group/element.replication.element": values}

    def env(self, record_file=None, extra=None):
        env = dict(os.environ)
        env.update({
            "ANSIBLE_COLLECTIONS_PATH": str(self.collections_path),
            "ANSIBLE_CALLBACK_PLUGINS": str(CALLBACKS),
            "ANSIBLE_CALLBACKS_ENABLED": "record",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_LOCALHOST_WARNING": "false",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
            "ANSIBLE_RETRY_FILES_ENABLED": "false",
            "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
            "PATH": "%s:%s" % (ANSIBLE_BIN, os.environ.get("PATH", "")),
        })
        if record_file:
            env["ELEMENT_RECORD_FILE"] = str(record_file)
        env.update(extra or {})
        return env

    def play(self, tasks, local="prod", peer="dr", check=False, diff=False, verbosity=0, env=None, play_vars=None,
             timeout=600):
        play = {"name": "system test", "hosts": "localhost", "connection": "local", "gather_facts": False,
                "module_defaults": self.defaults(local, peer), "vars": play_vars or {}, "tasks": tasks}
        return self.playbook([play], check=check, diff=diff, verbosity=verbosity, env=env, timeout=timeout)

    def playbook(self, plays, check=False, diff=False, verbosity=0, env=None, inventory=None, extra_args=(),
                 timeout=600, playbook_path=None):
        self.runs += 1
        record = self.workdir / ("results-%d.json" % self.runs)
        if playbook_path is None:
            playbook_path = self.workdir / ("playbook-%d.yml" % self.runs)
            playbook_path.write_text(yaml.safe_dump(plays, sort_keys=False))
        command = [str(ANSIBLE_BIN / "ansible-playbook"), str(playbook_path), "-i", str(inventory or "localhost,")]
        command += ["--check"] if check else []
        command += ["--diff"] if diff else []
        command += ["-" + "v" * verbosity] if verbosity else []
        command += list(extra_args)
        log = self.workdir / ("ansible-%d.log" % self.runs)
        tree = self.workdir / ("tree-%d" % self.runs)
        outputs = {"ANSIBLE_LOG_PATH": str(log), "ANSIBLE_CALLBACK_TREE_DIR": str(tree),
                   "ANSIBLE_CALLBACKS_ENABLED": "record,ansible.builtin.tree"}
        proc = subprocess.run(command, cwd=str(self.workdir), env=self.env(record, dict(outputs, **(env or {}))),
                              capture_output=True, text=True, timeout=timeout, check=False)
        results = json.loads(record.read_text()) if record.exists() else []
        run = PlaybookRun(proc.returncode, proc.stdout, proc.stderr, results, playbook_path)
        run.artifacts = [p for p in [record, log] + sorted(tree.glob("*")) if p.exists()]
        return run


def volume_named(cluster, name):
    found = [v for v in cluster.volumes() if v["name"] == name]
    assert len(found) == 1, "expected one volume %s on %s, found %d" % (name, cluster.name, len(found))
    return found[0]


def pairs_between(a, b):
    """The (a entry, b entry) couples of completed cluster pairs that list each other."""
    b_entries = {p["clusterPairUUID"]: p for p in b.cluster_pairs() if p["clusterUUID"] == a.unique_id}
    return [(p, b_entries[p["clusterPairUUID"]]) for p in a.cluster_pairs()
            if p["clusterUUID"] == b.unique_id and p["clusterPairUUID"] in b_entries]


def volume_pairs_between(a, b):
    """{(a volume name, b volume name): (a volume, b volume)} of complete volume pairs a -> b."""
    couples = pairs_between(a, b)
    if not couples:
        return {}
    a_pair, b_pair = couples[0]
    b_volumes = {v["volumeID"]: v for v in b.paired_volumes()}
    found = {}
    for volume in a.paired_volumes():
        for entry in volume["volumePairs"]:
            remote = b_volumes.get(entry["remoteVolumeID"])
            if entry["clusterPairID"] != a_pair["clusterPairID"] or remote is None:
                continue
            back = [e for e in remote["volumePairs"] if e["volumePairUUID"] == entry["volumePairUUID"]]
            if back and back[0]["clusterPairID"] == b_pair["clusterPairID"]:
                found[(volume["name"], remote["name"])] = (volume, remote)
    return found


def ensure_account(cluster, username):
    """The ID of the account of that name, added when missing (accounts outlive reset())."""
    for account in cluster.call("ListAccounts")["accounts"]:
        if account["username"] == username:
            return account["accountID"]
    return cluster.call("AddAccount", username=username)["accountID"]


def pair_clusters_raw(a, b):
    """Pair two clusters with raw API calls (setup for tests that need a cluster pair)."""
    key = a.call("StartClusterPairing")["clusterPairingKey"]
    b.call("CompleteClusterPairing", clusterPairingKey=key)


def pair_volumes_raw(a, b, source_id, target_id, mode="Async", target_access=True):
    key = a.call("StartVolumePairing", volumeID=source_id, mode=mode)["volumePairingKey"]
    b.call("CompleteVolumePairing", volumeID=target_id, volumePairingKey=key)
    if target_access:
        b.call("ModifyVolume", volumeID=target_id, access="replicationTarget")


def replicate_named(source, target, names, mode="Async"):
    """Pair the two clusters and each named volume with its namesake, through the raw API, then
    clear both call logs: the set-up of tests about what comes after pairing."""
    pair_clusters_raw(source, target)
    for name in names:
        pair_volumes_raw(source, target, volume_named(source, name)["volumeID"], volume_named(target, name)["volumeID"],
                         mode=mode)
    clear_calls(source, target)
    return source, target


def clear_calls(*clusters):
    for cluster in clusters:
        cluster.clear_calls()


def mutating(cluster):
    return [c for c in cluster.calls() if c["mutating"]]



def _key(fields):
    """A pairing key as Element encodes it: hex of compact JSON with sorted keys."""
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode().hex()


def secret_values(sim):
    """Every secret the simulated clusters hold right now: admin passwords, the credentials minted
    for cluster pairs, and the exact cluster and volume pairing keys that were handed out."""
    secrets = {c.password for c in sim.clusters}
    identity = {c.name: c for c in sim.clusters}
    with sqlite3.connect("file:%s?mode=ro" % (Path(sim.state_dir) / "sim.db"), uri=True) as db:
        rows = db.execute("SELECT cluster, data FROM records WHERE kind = 'clusterpair'").fetchall()
    for cluster_name, data in rows:
        pair = json.loads(data)
        credentials = [pair.get("localUsername"), pair.get("localPassword"),
                       (pair.get("peer") or {}).get("username"), (pair.get("peer") or {}).get("password")]
        secrets.update(c for c in credentials if c)
        secrets.update(json.dumps(c).encode().hex() for c in credentials if c)  # inside a hex key
        origin = identity[cluster_name]
        secrets.add(_key({"clusterPairID": pair["clusterPairID"], "clusterPairUUID": pair["clusterPairUUID"],
                          "clusterUniqueID": origin.unique_id, "mvip": origin.mvip, "name": origin.name,
                          "password": pair.get("localPassword"), "rpcConnectionID": pair.get("rpcConnectionID"),
                          "username": pair.get("localUsername")}))
    for cluster in sim.clusters:
        for volume in cluster.paired_volumes():
            for entry in volume["volumePairs"]:
                secrets.add(_key({"mvip": cluster.mvip, "volumeID": volume["volumeID"], "volumeName": volume["name"],
                                  "volumePairUUID": entry["volumePairUUID"]}))
    return {s for s in secrets if s}


def scan_for_secrets(secrets, runs, sim):
    """Where any secret appears: [(secret prefix, place)]. Looks at each run's output and
    artifacts and at the simulator's logs."""
    places = []
    for index, run in enumerate(runs):
        places.append(("run %d stdout" % index, run.stdout))
        places.append(("run %d stderr" % index, run.stderr))
        places += [(str(path), path.read_text(errors="replace")) for path in run.artifacts]
    state = Path(sim.state_dir)
    for path in sorted(state.glob("calls-*.jsonl")) + [state / "sim.log", Path(sim.output_file)]:
        if path.exists():
            places.append((str(path), path.read_text(errors="replace")))
    return [(secret[:4] + "...", where) for secret in sorted(secrets) for where, text in places if secret in text]


# ---- roles and playbooks ----------------------------------------------------------------------

def topology_inventory(sim, path, topology, **extra_vars):
    """Write an inventory like the one a user has: the simulator's clusters as hosts of group
    element_clusters with their element_* variables (the simulator's --inventory-file), plus
    element_replication_topology and any other variables for all hosts. Returns the path."""
    with open(sim.inventory_file, encoding="utf-8") as handle:
        inventory = yaml.safe_load(handle)
    inventory["all"]["vars"] = dict(extra_vars, element_replication_topology=topology)
    Path(path).write_text(yaml.safe_dump(inventory, sort_keys=False))
    return Path(path)


def task_results(run, name, host=None):
    """Every recorded result of the task with this name (each host's), optionally of one host. Role
    tasks match by their own name, without the "ROLE : " prefix."""
    return [r for r in run.results if r["task"].split(" : ")[-1] == name and (host is None or r["host"] == host)]


def changed_tasks(run):
    """(host, task) of every result that reports a change, loop items included."""
    return [(r["host"], r["task"]) for r in run.results if r["result"].get("changed")]


def replication_state(a, b):
    """{(a volume, b volume): (mode, state on a, state on b)} of the complete volume pairs that
    replicate from a to b (a's volume readWrite, b's replicationTarget)."""
    return {names: (va["volumePairs"][0]["remoteReplication"]["mode"], va["volumePairs"][0]["remoteReplication"]["state"],
                    vb["volumePairs"][0]["remoteReplication"]["state"])
            for names, (va, vb) in volume_pairs_between(a, b).items()
            if (va["access"], vb["access"]) == ("readWrite", "replicationTarget")}


# ---- failover and split-site roles ------------------------------------------------------------

def collection_playbook(ansible, inventory):
    """A function that runs one of the collection's playbooks (playbooks/NAME) with this inventory:
    run(name, check=False, diff=False, verbosity=0, extra_args=(), **extra_vars)."""
    def run(name, check=False, diff=False, verbosity=0, extra_args=(), **extra_vars):
        extra = ["-e", json.dumps(extra_vars)] if extra_vars else []
        return ansible.playbook(None, playbook_path=REPO / "playbooks" / name, inventory=inventory, check=check,
                                diff=diff, verbosity=verbosity, extra_args=extra + list(extra_args))
    return run


def site_inventory(sim, path, topology, own, **extra_vars):
    """An inventory as one site's controller has it: every cluster is a host of element_clusters, but
    only the hosts named in own carry their element_* variables (credentials); the others have none.
    Returns the path."""
    with open(sim.inventory_file, encoding="utf-8") as handle:
        hosts = yaml.safe_load(handle)["all"]["hosts"]
    inventory = {"all": {"vars": dict(extra_vars, element_replication_topology=topology),
                         "children": {"element_clusters": {"hosts": {
                             name: (hosts[name] if name in own else {}) for name in hosts}}}}}
    Path(path).write_text(yaml.safe_dump(inventory, sort_keys=False))
    return Path(path)


def access_and_state(a, b, couples):
    """{(a volume, b volume): (access on a, access on b, replication state on a, on b)} for these
    couples of volume names; the state is None for a volume without a pair."""
    def state(volume):
        return volume["volumePairs"][0]["remoteReplication"]["state"] if volume.get("volumePairs") else None
    a_volumes = {v["name"]: v for v in a.volumes()}
    b_volumes = {v["name"]: v for v in b.volumes()}
    found = {}
    for a_name, b_name in couples:
        va, vb = a_volumes[a_name], b_volumes[b_name]
        found[(a_name, b_name)] = (va["access"], vb["access"], state(va), state(vb))
    return found


def item_results(run, name, host=None):
    """The loop item results of every recorded run of the task with this name (see task_results)."""
    return [item for r in task_results(run, name, host) for item in r["result"].get("results", [])]


def replicate_snapshot(cluster, volume_name, name="replicated"):
    """A snapshot with remote replication on the volume: what a SnapshotsOnly pair carries (without
    one, the audit rightly finds that the pair protects nothing)."""
    return cluster.call("CreateSnapshot", volumeID=volume_named(cluster, volume_name)["volumeID"], name=name,
                        enableRemoteReplication=True)["snapshot"]
