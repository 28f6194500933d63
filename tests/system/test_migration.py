# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The migration guide's new-form playbook (docs/migrating-from-netapp-elementsw.md), taken from
the guide itself and run as written against the simulator, so that the guide cannot rot.

The playbook talks to prod-mvip.example.com and dr-mvip.example.com with the passwords in
prod_admin_password and dr_admin_password: the test points those names at the simulated prod and
dr clusters and the CA path at the simulator's, nothing else. Afterwards the real state of both
clusters is checked.
"""

from __future__ import annotations

import re

import pytest
import yaml

from helpers import REPO, ensure_account, pairs_between, replication_state, volume_named

GUIDE = REPO / "docs" / "migrating-from-netapp-elementsw.md"
NEW_FORM_MARK = "# element.replication:"
GIB = 1024 ** 3


def yaml_blocks(text):
    return re.findall(r"^```yaml\n(.*?)^```$", text, flags=re.S | re.M)


def new_form_playbooks():
    """The guide's YAML blocks that are element.replication playbooks (they start with the mark)."""
    return [block for block in yaml_blocks(GUIDE.read_text()) if block.startswith(NEW_FORM_MARK)]


def pointed_at_the_simulator(text, sim):
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    for old, new in (("prod-mvip.example.com", "%s:%s" % (prod.host, prod.port)),
                     ("dr-mvip.example.com", "%s:%s" % (dr.host, dr.port)),
                     ("/etc/pki/element-ca.pem", prod.ca_cert)):
        text = text.replace(old, new)
    return text


@pytest.fixture
def guide_volumes(sim):
    """The volumes the guide names: db01 on prod and db01-replica on dr, both in tenant1."""
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    for cluster, name in ((prod, "db01"), (dr, "db01-replica")):
        account = ensure_account(cluster, "tenant1")
        cluster.call("CreateVolume", name=name, accountID=account, totalSize=GIB, enable512e=True)
    return prod, dr


def test_the_guide_has_one_old_and_one_new_playbook():
    blocks = yaml_blocks(GUIDE.read_text())
    assert len(new_form_playbooks()) == 1
    old = [b for b in blocks if "netapp.elementsw.na_elementsw_volume_pair" in b]
    assert len(old) == 1, "the guide shows the old form next to the new one"
    assert yaml.safe_load(old[0])[0]["name"] == yaml.safe_load(new_form_playbooks()[0])[0]["name"]


def test_the_new_form_runs_as_written(sim, ansible, guide_volumes):
    prod, dr = guide_volumes
    plays = yaml.safe_load(pointed_at_the_simulator(new_form_playbooks()[0], sim))
    play_vars = {"prod_admin_password": prod.password, "dr_admin_password": dr.password}
    for play in plays:
        play["connection"] = "local"
        play["vars"] = dict(play.get("vars") or {}, **play_vars)
    prod.clear_calls()
    dr.clear_calls()

    check = ansible.playbook(plays, check=True, diff=True)
    assert check.rc == 0, str(check)
    assert pairs_between(prod, dr) == [], "check mode changed nothing"
    assert volume_named(prod, "db01")["volumePairs"] == []

    run = ansible.playbook(plays)
    assert run.rc == 0, str(run)
    assert len(pairs_between(prod, dr)) == 1
    assert replication_state(prod, dr) == {("db01", "db01-replica"): ("Sync", "Active", "Active")}

    again = ansible.playbook(plays)
    assert again.rc == 0, str(again)
    assert not [r for r in again.results if r["result"].get("changed")], "a second run changes nothing"

    # Drift: the guide says a second run puts the mode back and resumes the pair.
    source_id = volume_named(prod, "db01")["volumeID"]
    prod.call("ModifyVolumePair", volumeID=source_id, mode="Async", pausedManual=True)
    fixed = ansible.playbook(plays)
    assert fixed.rc == 0, str(fixed)
    assert replication_state(prod, dr) == {("db01", "db01-replica"): ("Sync", "Active", "Active")}


def test_removal_as_the_guide_describes(sim, ansible, guide_volumes):
    """The same volume pair task with state: absent (peer_volume and the accounts left in) removes the pair."""
    prod, dr = guide_volumes
    plays = yaml.safe_load(pointed_at_the_simulator(new_form_playbooks()[0], sim))
    play_vars = {"prod_admin_password": prod.password, "dr_admin_password": dr.password}
    for play in plays:
        play["connection"] = "local"
        play["vars"] = dict(play.get("vars") or {}, **play_vars)
    assert ansible.playbook(plays).rc == 0
    plays[0]["tasks"][1]["element.replication.element_volume_pair"]["state"] = "absent"
    removed = ansible.playbook(plays)
    assert removed.rc == 0, str(removed)
    assert volume_named(prod, "db01")["volumePairs"] == []
    assert volume_named(dr, "db01-replica")["volumePairs"] == []
    assert len(pairs_between(prod, dr)) == 1, "the cluster pair stays"
