# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Jobs run the way AWX and AAP run them: `ansible-runner run` in a private data directory laid out
as the controller lays it out for a job (project/, inventory/hosts, env/envvars with the credential
type's injectors rendered, the credential's files in env/), with the collection installed from its
artifact as in an execution environment. No password is in the project or the inventory: the
inventory reads the credential's variables, as docs/awx.md shows.

dr_setup then drift_audit: both jobs succeed, the clusters are in the declared state, the audit is
clean, and no secret is in the jobs' events, output or artifacts, with one exception that
docs/awx.md states: runner's own `artifacts/<id>/command` records the command line together with
the job's whole environment, the injected passwords included. The test requires that exception to
be exactly that file, and checks that the file does hold the environment, so that the sentence in
docs/awx.md stays true (a controller keeps the directory private and deletes it after the job).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import pytest
import yaml

from artifact import install_artifact
from helpers import ANSIBLE_BIN, pairs_between, replication_state, secret_values
from test_awx_credential import host_vars_block, render

TOPOLOGY = [{"source": "prod", "target": "dr", "volumes": [{"volume": "vol-0001", "mode": "Sync"},
                                                           {"volume": "vol-0002"}]}]
DECLARED = {("vol-0001", "vol-0001"): ("Sync", "Active", "Active"),
            ("vol-0002", "vol-0002"): ("Async", "Active", "Active")}


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    return install_artifact(tmp_path_factory.mktemp("installed"))


def private_data_dir(sim, root):
    """The directory a controller prepares for a job of a project that holds only the inventory's
    topology and playbooks that import the collection's."""
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    pdd = root / "pdd"
    (pdd / "project").mkdir(parents=True)
    (pdd / "env").mkdir()
    (pdd / "inventory").mkdir()
    for name in ("dr_setup", "drift_audit"):
        (pdd / "project" / ("%s.yml" % name)).write_text(yaml.safe_dump(
            [{"name": name, "ansible.builtin.import_playbook": "element.replication.%s" % name}]))

    # The inventory as the controller writes it: a script that prints the inventory's JSON. Host
    # variables as docs/awx.md shows them (the credential's variables), the simulator's addresses.
    with open(sim.inventory_file, encoding="utf-8") as handle:
        simulated = yaml.safe_load(handle)["all"]["hosts"]
    hostvars = {}
    for name, documented in host_vars_block().items():
        own = {k: v for k, v in simulated[name].items()
               if k not in ("element_username", "element_password", "element_ca_path")}
        own.update({k: v for k, v in documented.items() if k != "element_hostname"})
        hostvars[name] = own
    inventory = {"all": {"vars": {"element_replication_topology": TOPOLOGY}},
                 "element_clusters": {"hosts": sorted(hostvars)}, "_meta": {"hostvars": hostvars}}
    script = pdd / "inventory" / "hosts"
    script.write_text("#!%s\nimport json\nprint(json.dumps(%r))\n" % (ANSIBLE_BIN / "python", inventory))
    script.chmod(stat.S_IRWXU)

    # The credential: its files in env/ (the controller's tower.filename), its env injectors in env/envvars.
    ca = open(prod.ca_cert, encoding="utf-8").read()
    files = pdd / "env" / "credential"
    files.mkdir()
    envvars = render({"hostname": "unused", "username": prod.username, "password": prod.password, "ca_cert": ca,
                      "peer_hostname": "unused", "peer_username": dr.username, "peer_password": dr.password,
                      "peer_ca_cert": ca}, files)
    (pdd / "env" / "envvars").write_text(yaml.safe_dump(envvars))
    (pdd / "env" / "settings").write_text(yaml.safe_dump({"suppress_ansible_output": True}))
    return pdd


def run_job(pdd, playbook, ident, installed):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ANSIBLE_", "ELEMENT_"))}
    # What the execution environment provides: the collection installed, its Python, ansible-core.
    env.update({"ANSIBLE_COLLECTIONS_PATH": str(installed), "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
                "ANSIBLE_PYTHON_INTERPRETER": str(ANSIBLE_BIN / "python"), "ANSIBLE_NOCOLOR": "1",
                "ANSIBLE_HOME": str(pdd.parent / "ansible-home"),
                "PATH": "%s:%s" % (ANSIBLE_BIN, os.environ.get("PATH", ""))})
    proc = subprocess.run([str(ANSIBLE_BIN / "ansible-runner"), "run", str(pdd), "-p", playbook, "--ident", ident],
                          env=env, capture_output=True, text=True, timeout=600, check=False)
    artifacts = pdd / "artifacts" / ident
    status = (artifacts / "status").read_text() if (artifacts / "status").exists() else None
    assert proc.returncode == 0 and status == "successful", "%s: %s\n%s\n%s" % (
        playbook, status, (artifacts / "stdout").read_text()[-4000:] if (artifacts / "stdout").exists() else "",
        proc.stderr[-2000:])
    return artifacts


def events(artifacts):
    return [json.loads(p.read_text()) for p in sorted((artifacts / "job_events").glob("*.json"))]


def test_dr_setup_and_drift_audit_as_awx_jobs(sim, installed, tmp_path):
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    pdd = private_data_dir(sim, tmp_path)
    for secret in (prod.password, dr.password):
        for path in list((pdd / "project").rglob("*")) + list((pdd / "inventory").rglob("*")):
            assert path.is_dir() or secret not in path.read_text(), "no password in %s" % path

    setup = run_job(pdd, "dr_setup.yml", "setup", installed)
    assert len(events(setup)) > 20, "the job's events are recorded (and scanned below)"
    assert replication_state(prod, dr) == DECLARED
    assert len(pairs_between(prod, dr)) == 1
    assert any(e.get("event") == "playbook_on_stats" and e["event_data"].get("changed") for e in events(setup))

    prod.clear_calls()
    dr.clear_calls()
    audit = run_job(pdd, "drift_audit.yml", "audit", installed)
    assert prod.mutating_calls() == [] and dr.mutating_calls() == [], "an audit changes nothing"
    report = json.loads((pdd / "project" / "reports" / "replication-audit.json").read_text())
    assert report["clean"] is True and report["drift_count"] == 0
    assert [e for e in events(audit) if e.get("event") == "runner_on_failed"] == []

    secrets = secret_values(sim)  # the admin passwords, the cluster pair's credentials, the pairing keys
    assert len(secrets) > 2
    leaks, command_holds_environment = [], []
    for artifacts in (setup, audit):
        for path in sorted(p for p in artifacts.rglob("*") if p.is_file()):
            text = path.read_text(errors="replace")
            found = [s[:4] + "..." for s in secrets if s in text]
            if path.relative_to(artifacts) == Path("command"):
                command_holds_environment.append(prod.password in text and "ELEMENT_PASSWORD" in text)
            elif found:
                leaks.append((str(path.relative_to(pdd)), found))
    assert leaks == [], "secrets in the jobs' events or artifacts"
    assert command_holds_environment == [True, True], \
        "runner's artifacts/<id>/command records the job's environment, as docs/awx.md says"
