# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The audit's clusters taken from the inventory: the topology checked against it first, then one
connection per host of the topology, as the element_connection filter builds it."""

from __future__ import annotations

import pytest

from ansible_collections.element.replication.plugins.action.element_replication_audit import inventory_clusters
from ansible_collections.element.replication.plugins.module_utils._errors import Refusal

CREDENTIALS = {"element_hostname": "10.0.0.1", "element_username": "admin", "element_password": "pw"}
TOPOLOGY = [{"source": "prod", "target": "dr", "volumes": [{"volume": "db01"}]}]


def task_vars(hostvars, **more):
    return dict({"hostvars": hostvars, "groups": {"all": sorted(hostvars)}, "ansible_play_hosts_all": sorted(hostvars)},
                **more)


def test_one_connection_per_host_of_the_topology():
    hostvars = {"prod": CREDENTIALS, "dr": dict(CREDENTIALS, element_hostname="10.0.0.2", element_port="8443",
                                                element_validate_certs="no"), "lab": CREDENTIALS}
    clusters = inventory_clusters({"topology": TOPOLOGY}, task_vars(hostvars))
    assert clusters == [
        {"name": "dr", "hostname": "10.0.0.2", "port": 8443, "username": "admin", "password": "pw",
         "validate_certs": False, "ca_path": None, "display_name": "dr"},
        {"name": "prod", "hostname": "10.0.0.1", "port": 443, "username": "admin", "password": "pw",
         "validate_certs": True, "ca_path": None, "display_name": "prod"}]


def test_problems_name_the_role_variable_and_every_entry():
    hostvars = {"prod": CREDENTIALS, "dr": {"element_hostname": "10.0.0.2"}}
    topology = TOPOLOGY + [{"source": "prod", "target": "drr", "volumes": [{"volume": "db02"}]}]
    with pytest.raises(Refusal) as refused:
        inventory_clusters({"topology": topology, "topology_name": "replication_audit_topology"}, task_vars(hostvars))
    lines = str(refused.value).splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("replication_audit_topology[0] (prod -> dr): ") and "element_username" in lines[0]
    assert lines[1].startswith("replication_audit_topology[1] (prod -> drr): target 'drr' is not a host of the inventory")


def test_problems_name_the_users_variable_when_the_role_holds_it():
    hostvars = {"prod": CREDENTIALS}
    with pytest.raises(Refusal, match=r"^element_replication_topology\[0\] \(prod -> dr\): target 'dr' is not a host"):
        inventory_clusters({"topology": TOPOLOGY, "topology_name": "replication_audit_topology"},
                           task_vars(hostvars, element_replication_topology=TOPOLOGY))


def test_split_site_entries_need_both_clusters_credentials():
    hostvars = {"prod": CREDENTIALS, "dr": {}}
    topology = [dict(TOPOLOGY[0], split_site=True)]
    with pytest.raises(Refusal, match="both clusters on one controller"):
        inventory_clusters({"topology": topology}, task_vars(hostvars, ansible_play_hosts_all=["prod"]))


def test_no_topology_and_an_empty_hostname_are_refused():
    with pytest.raises(Refusal, match=r"^No replication topology: set element_replication_topology or "
                                      r"replication_audit_topology to a list"):
        inventory_clusters({"topology": None, "topology_name": "replication_audit_topology"}, task_vars({}))
    hostvars = {"prod": CREDENTIALS, "dr": dict(CREDENTIALS, element_hostname=" ")}
    with pytest.raises(Refusal, match="inventory host 'dr' has an empty element_hostname"):
        inventory_clusters({"topology": TOPOLOGY}, task_vars(hostvars))
