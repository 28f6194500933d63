# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The AWX / AAP credential type (docs/awx-credential-type.yml): its injectors, rendered the way the
controller renders them (Jinja with the credential's inputs, tower.filename for the files), give the
modules a working connection to both clusters through the environment alone, as docs/awx.md says.
"""

from __future__ import annotations

import re

import jinja2
import pytest
import yaml

from helpers import REPO, pair_clusters_raw, pair_volumes_raw, pairs_between, replication_state, volume_named

CREDENTIAL_TYPE = REPO / "docs" / "awx-credential-type.yml"
# The environment variables the modules read (plugins/module_utils/_connection.py).
OPTIONS = ("HOSTNAME", "PORT", "USERNAME", "PASSWORD", "VALIDATE_CERTS", "CA_PATH", "TIMEOUT", "API_VERSION")


def credential_type():
    return yaml.safe_load(CREDENTIAL_TYPE.read_text())


def render(inputs, tmp_path):
    """The environment a job gets: every input field (unset ones empty, as the controller has them)."""
    definition = credential_type()
    values = {field["id"]: field.get("default", "") for field in definition["inputs"]["fields"]}
    values.update(inputs)
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    filenames = {}
    for key, template in definition["injectors"].get("file", {}).items():
        name = key.split(".", 1)[1]
        path = tmp_path / ("credential-%s" % name)
        path.write_text(env.from_string(template).render(values))
        filenames[name] = str(path)
    values["tower"] = {"filename": filenames}
    return {name: env.from_string(template).render(values) for name, template in definition["injectors"]["env"].items()}


def test_the_credential_type_is_complete():
    definition = credential_type()
    fields = {field["id"]: field for field in definition["inputs"]["fields"]}
    for secret in ("password", "peer_password"):
        assert fields[secret].get("secret") is True, "%s is marked secret" % secret
    assert not [f for f in fields.values() if f.get("secret") and f["id"] not in ("password", "peer_password")]
    injected = set(definition["injectors"]["env"])
    read = {"ELEMENT_%s" % o for o in OPTIONS} | {"ELEMENT_PEER_%s" % o for o in OPTIONS}
    assert injected <= read, "only variables the modules read: %s" % sorted(injected - read)
    for prefix in ("ELEMENT_", "ELEMENT_PEER_"):
        for option in ("HOSTNAME", "PORT", "USERNAME", "PASSWORD", "VALIDATE_CERTS", "CA_PATH"):
            assert prefix + option in injected


def test_a_job_with_the_credential_pairs_the_clusters(sim, ansible, tmp_path):
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    ca = open(prod.ca_cert, encoding="utf-8").read()
    env = render({"hostname": "%s:%s" % (prod.host, prod.port), "username": prod.username, "password": prod.password,
                  "ca_cert": ca, "peer_hostname": "%s:%s" % (dr.host, dr.port), "peer_username": dr.username,
                  "peer_password": dr.password, "peer_ca_cert": ca}, tmp_path)
    play = {"name": "a job template's playbook", "hosts": "localhost", "connection": "local", "gather_facts": False,
            "module_defaults": {"group/element.replication.element": {"peer": {}}},
            "tasks": [{"name": "The clusters are paired", "element.replication.element_cluster_pair": {}}]}
    run = ansible.playbook([play], env=env)
    assert run.rc == 0, str(run)
    assert len(pairs_between(prod, dr)) == 1


def test_peer_credentials_left_empty_are_the_clusters_own(tmp_path):
    base = {"hostname": "prod", "username": "admin", "password": "s3cret", "peer_hostname": "dr"}
    env = render(base, tmp_path)
    assert (env["ELEMENT_PEER_USERNAME"], env["ELEMENT_PEER_PASSWORD"]) == ("admin", "s3cret")
    env = render(dict(base, peer_username="admin"), tmp_path)
    assert (env["ELEMENT_PEER_USERNAME"], env["ELEMENT_PEER_PASSWORD"]) == ("admin", "s3cret")
    env = render(dict(base, peer_username="dradmin"), tmp_path)
    assert (env["ELEMENT_PEER_USERNAME"], env["ELEMENT_PEER_PASSWORD"]) == ("dradmin", ""), \
        "the password is never borrowed for another user"
    assert env["ELEMENT_CA_PATH"] == "" and env["ELEMENT_PORT"] == "443" and env["ELEMENT_VALIDATE_CERTS"] == "true"


def test_empty_optional_inputs_do_not_break_a_one_cluster_job(sim, ansible, tmp_path):
    prod = sim.cluster("prod")
    env = render({"hostname": "%s:%s" % (prod.host, prod.port), "username": prod.username,
                  "password": prod.password, "validate_certs": "false"}, tmp_path)
    play = {"name": "a job template's playbook", "hosts": "localhost", "connection": "local", "gather_facts": False,
            "tasks": [{"name": "Read", "element.replication.element_replication_info": {}}]}
    run = ansible.playbook([play], env=env)
    assert run.rc == 0, str(run)


def host_vars_block():
    """The inventory host variables docs/awx.md shows for the roles (the YAML block that starts with
    the comment '# inventory host_vars')."""
    text = (REPO / "docs" / "awx.md").read_text()
    blocks = re.findall(r"^```yaml\n(# inventory host_vars.*?)^```$", text, flags=re.S | re.M)
    assert len(blocks) == 1
    return yaml.safe_load(blocks[0])


def test_the_roles_read_the_credential_through_the_documented_host_vars(sim, ansible, tmp_path):
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    with open(sim.inventory_file, encoding="utf-8") as handle:
        simulated = yaml.safe_load(handle)["all"]["hosts"]
    hosts = {}
    for name, documented in host_vars_block().items():
        own = {k: v for k, v in simulated[name].items() if k not in ("element_username", "element_password",
                                                                      "element_ca_path")}
        own.update({k: v for k, v in documented.items() if k != "element_hostname"})  # the simulator's address
        hosts[name] = own
    topology = [{"source": "prod", "target": "dr", "volumes": [{"volume": "vol-0001"}]}]
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(yaml.safe_dump({"all": {"vars": {"element_replication_topology": topology},
                                                 "children": {"element_clusters": {"hosts": hosts}}}}))
    ca = open(prod.ca_cert, encoding="utf-8").read()
    env = render({"hostname": "unused", "username": prod.username, "password": prod.password, "ca_cert": ca,
                  "peer_hostname": "unused", "peer_username": dr.username, "peer_password": dr.password,
                  "peer_ca_cert": ca}, tmp_path)
    run = ansible.playbook(None, playbook_path=REPO / "playbooks" / "dr_setup.yml", inventory=inventory, env=env)
    assert run.rc == 0, str(run)
    assert replication_state(prod, dr) == {("vol-0001", "vol-0001"): ("Async", "Active", "Active")}


def one_cluster_job(cluster, tmp_path, tasks):
    """A job whose credential has no peer cluster (ELEMENT_PEER_HOSTNAME=""), with docs/awx.md's
    module_defaults (peer: {})."""
    ca = open(cluster.ca_cert, encoding="utf-8").read()
    env = render({"hostname": "%s:%s" % (cluster.host, cluster.port), "username": cluster.username,
                  "password": cluster.password, "ca_cert": ca}, tmp_path)
    assert env["ELEMENT_PEER_HOSTNAME"] == ""
    play = {"name": "a job template's playbook", "hosts": "localhost", "connection": "local", "gather_facts": False,
            "module_defaults": {"group/element.replication.element": {"peer": {}}}, "tasks": tasks}
    return play, env


def test_an_empty_peer_hostname_is_no_peer_for_one_cluster_modules(sim, ansible, tmp_path):
    """Issue 24, item 6: the snapshot schedule and the rehearsal (run at dr) need no peer."""
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    pair_clusters_raw(prod, dr)
    pair_volumes_raw(prod, dr, volume_named(prod, "vol-0001")["volumeID"], volume_named(dr, "vol-0001")["volumeID"])
    play, env = one_cluster_job(dr, tmp_path, [
        {"name": "schedule", "element.replication.element_snapshot_schedule": {
            "name": "dr-local", "volumes": ["vol-0002"], "every": "1h", "replicate": False}},
        {"name": "rehearse", "element.replication.element_replication_rehearsal": {
            "name": "awx", "pairs": [{"volume": "vol-0001"}]}}])
    run = ansible.playbook([play], env=env, check=True)
    assert run.rc == 0, str(run)
    assert [a["method"] for a in run.task("schedule")["actions"]] == ["CreateSchedule"]
    assert "CloneVolume" in [a["method"] for a in run.task("rehearse")["actions"]]
    run = ansible.playbook([play], env=env)
    assert run.rc == 0, str(run)
    assert [s["scheduleName"] for s in dr.call("ListSchedules")["schedules"]] == ["dr-local"]
    assert "Invalid URL" not in run.stdout


@pytest.mark.parametrize("module, params", [
    ("element_cluster_pair", {}),
    ("element_volume_pair", {"pairs": [{"volume": "vol-0001"}]}),
    ("element_replication_failover", {"primary": "peer", "pairs": [{"volume": "vol-0001"}]}),
])
def test_modules_that_need_a_peer_say_it_is_missing(sim, ansible, tmp_path, module, params):
    prod = sim.cluster("prod")
    play, env = one_cluster_job(prod, tmp_path, [{"name": "task", "element.replication.%s" % module: params}])
    run = ansible.playbook([play], env=env)
    assert run.rc != 0, str(run)
    msg = run.task("task")["msg"]
    assert "no peer cluster is given: peer.hostname is empty" in msg, msg
    assert "Invalid URL" not in msg
    assert prod.calls() == [], "refused before any call"
