# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The measurements of `make bench`, each returning the figures of one run. A converge always
starts from a fresh simulator, so no run sees another's state."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from workload import PlaybookFailed, fresh_sim, run_playbook, volume_name

AUDIT_PLAYBOOK = Path("playbooks") / "drift_audit.yml"  # in the collection measured
THROUGHPUT_TIMEOUT = 120


def play(sim, tasks):
    """One play on localhost whose Element tasks talk to prod, with dr as the peer."""
    defaults = dict(sim.connection("prod"), peer=sim.connection("dr"))
    return [{"name": "bench", "hosts": "localhost", "connection": "local", "gather_facts": False,
             "module_defaults": {"group/element.replication.element": defaults}, "tasks": tasks}]


def _names(count):
    return [volume_name(i) for i in range(1, count + 1)]


def bulk_task(count, parallel=None):
    params = {"pairs": [{"volume": name} for name in _names(count)]}
    if parallel is not None:  # None: the module's default, as a user would run it
        params["parallel"] = parallel
    return {"name": "pair the volumes in one bulk task", "element.replication.element_volume_pair": params}


def loop_task(count):
    """The old way: one module run per pair."""
    return {"name": "pair one volume per loop item", "loop": _names(count),
            "element.replication.element_volume_pair": {"volume": "{{ item }}"}}


def _converge(workspace, sim, count, task):
    """Run a task that pairs `count` new volumes and check that it really did."""
    result = run_playbook(workspace, play(sim, [task]), sim)
    paired = sim.completed_pairs()
    if paired != count or not result["counts"].get("changed"):
        raise PlaybookFailed("converge left %d of %d pairs complete (changed=%s)"
                             % (paired, count, result["counts"].get("changed")))
    return result


def converge(workspace, count, task):
    """One converge of `count` new pairs on a fresh simulator."""
    with fresh_sim(workspace, count) as sim:
        sim.pair_clusters()
        return _converge(workspace, sim, count, task)


@contextmanager
def converged(workspace, count):
    """A fresh simulator on which one bulk task has just paired `count` volumes: yields the
    simulator and that converge's figures. No-op runs and audits repeat on this state, since
    they change nothing."""
    with fresh_sim(workspace, count) as sim:
        sim.pair_clusters()
        yield sim, _converge(workspace, sim, count, bulk_task(count))


def noop(workspace, sim, count):
    """The bulk task again, on pairs that are already as declared."""
    result = run_playbook(workspace, play(sim, [bulk_task(count)]), sim)
    if result["counts"].get("changed"):
        raise PlaybookFailed("the re-run changed something: it is not a no-op")
    return result


def ansible_alone(workspace, tasks):
    """Ansible's own cost, with no Element task: a play of these tasks on localhost."""
    return run_playbook(workspace, [{"name": "bench", "hosts": "localhost", "connection": "local",
                                     "gather_facts": False, "tasks": tasks}])


def audit(workspace, sim, count, report_dir=None):
    """The drift audit playbook in check mode over the pairs; {"available": False, "reason"} when
    the playbook is missing or fails, so that the rest of the benchmark still reports. Runs given
    one report_dir are a scheduled audit's: the first writes the report, the next find it unchanged."""
    playbook = workspace.collection / AUDIT_PLAYBOOK
    if not playbook.exists():
        return {"available": False, "reason": "%s does not exist yet" % AUDIT_PLAYBOOK}
    variables = workspace.path("audit-vars", ".json")
    variables.write_text(json.dumps({
        "element_replication_topology": [{"source": "prod", "target": "dr", "mode": "Async",
                                          "volumes": [{"volume": name} for name in _names(count)]}],
        # the role writes its report next to the playbooks by default: keep it in the workspace
        "replication_audit_report_dir": str(report_dir or workspace.path("audit-report")),
    }))
    result = run_playbook(workspace, playbook, sim, allow_failure=True,
                          args=["-i", sim.process.inventory_file, "--check", "-e", "@%s" % variables])
    if result["rc"] != 0:
        return {"available": False, "reason": "rc %d: %s" % (result["rc"], result["reason"])}
    return dict(result, available=True)


def rehearsal(workspace, sim, count, state="present"):
    """element_replication_rehearsal at dr over the `count` pairs (present: clone every target and
    wait for the clone jobs; absent: delete and purge the clones). The pairs stay as they are."""
    task = {"name": "rehearse", "element.replication.element_replication_rehearsal": dict(
        sim.connection("dr"), name="bench", state=state, pairs=[{"volume": name} for name in _names(count)])}
    result = run_playbook(workspace, play(sim, [task]), sim)
    if not result["counts"].get("changed"):
        raise PlaybookFailed("the rehearsal (%s) changed nothing" % state)
    return result


def client_cost(workspace, sim, calls):
    """bench/client_cost.py against prod: the collection's client alone, wall and CPU per call."""
    cluster = sim.prod
    command = [sys.executable, str(Path(__file__).with_name("client_cost.py")), "--host", cluster.host,
               "--port", str(cluster.port), "--user", cluster.username, "--password", cluster.password,
               "--ca", cluster.ca_cert, "--calls", str(calls)]
    env = dict(os.environ, PYTHONPATH=str(workspace.root / "collections"))
    proc = subprocess.run(command, capture_output=True, text=True, timeout=THROUGHPUT_TIMEOUT, check=True, env=env)
    sim.clear_calls()
    return json.loads(proc.stdout)


def event_source(workspace, sim, count, polls=3):
    """bench/event_source.py watching prod and dr: `polls` polls of the EDA source; the calls of one
    poll (every poll makes the same reads), its wall and CPU seconds."""
    sim.clear_calls()
    command = [sys.executable, str(Path(__file__).with_name("event_source.py")), "--collection", str(workspace.collection),
               "--clusters", json.dumps({name: sim.connection(name) for name in ("prod", "dr")}),
               "--polls", str(polls)]
    env = dict(os.environ, PYTHONPATH=str(workspace.root / "collections"))
    proc = subprocess.run(command, capture_output=True, text=True, timeout=THROUGHPUT_TIMEOUT, check=True, env=env)
    figures = json.loads(proc.stdout)
    per_cluster = {cluster.name: [c for c in cluster.calls()] for cluster in sim.clusters}
    sim.clear_calls()
    calls = [c for found in per_cluster.values() for c in found]
    if any(len(found) % polls for found in per_cluster.values()) or figures["events_after_first"]:
        raise RuntimeError("the source's polls differ (%s calls in %d polls, %d events after the first): %s" % (
            {name: len(found) for name, found in per_cluster.items()}, polls, figures["events_after_first"],
            proc.stderr))
    return dict(figures, calls=len(calls) // polls, mutating=sum(1 for c in calls if c["mutating"]) // polls,
                calls_per_cluster={name: len(found) // polls for name, found in per_cluster.items()},
                ansible_cpu_s=figures["cpu_s"], methods=sorted({c["method"] for c in calls}))


def throughput(sim, count, seconds, connections):
    """The simulator's own requests per second on one cluster, over keep-alive connections, so
    the collection's figures can be read against what the simulator can serve. `count`: the
    volumes and pairs the simulator holds (the paired-volume listing returns them all)."""
    cluster = sim.prod
    figures = {}
    for parallel in connections:
        command = [sys.executable, "-m", "element_sim.throughput", "--url", cluster.url, "--user", cluster.username,
                   "--password", cluster.password, "--ca", cluster.ca_cert, "--seconds", str(seconds),
                   "--connections", str(parallel)]
        proc = subprocess.run(command, capture_output=True, text=True, timeout=THROUGHPUT_TIMEOUT, check=True)
        for method, result in json.loads(proc.stdout)["results"].items():
            figures["%s, %d connection(s)" % (method, parallel)] = {
                "requests_per_second": result["requests_per_second"], "p50_ms": result["latency_ms"]["p50"],
                "errors": result["errors"]}
    sim.clear_calls()
    return {"state": "%d volumes, %d pairs" % (count, count), "seconds_per_method": seconds, "results": figures}
