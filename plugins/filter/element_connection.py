# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: element_connection
short_description: The connection options of an inventory host's Element cluster
version_added: 1.1.0
author:
  - element.replication maintainers (@element-replication)
description:
  - Builds the connection options of the collection's modules (O(element.replication.element_cluster_pair#module:hostname),
    O(element.replication.element_cluster_pair#module:port), and so on, or the value of their C(peer) option) from an
    inventory host's C(element_*) variables. Every role of the collection builds its connections with it.
  - C(element_hostname), C(element_username) and C(element_password) are required; C(element_port)
    defaults to 443, C(element_validate_certs) to true, C(element_ca_path) to none.
    C(display_name) is the inventory host's name, so that messages name the cluster even when it cannot be reached.
  - Given a list of hosts and all hosts' variables (C(hostvars)), the list of their connections,
    each with its host as C(name), as the O(element.replication.element_replication_audit#module:clusters)
    option takes them.
positional: host
options:
  _input:
    description: The host's variables (C(hostvars[host])); with a list of hosts, C(hostvars).
    type: dict
    required: true
  host:
    description: The inventory host's name, or a list of them.
    type: raw
    required: true
"""

EXAMPLES = r"""
- name: Read the replication between the clusters of two inventory hosts
  element.replication.element_replication_info:
    hostname: "{{ prod.hostname }}"
    port: "{{ prod.port }}"
    username: "{{ prod.username }}"
    password: "{{ prod.password }}"
    validate_certs: "{{ prod.validate_certs }}"
    ca_path: "{{ prod.ca_path }}"
    display_name: "{{ prod.display_name }}"
    peer: "{{ hostvars['dr'] | element.replication.element_connection('dr') }}"
  vars:
    prod: "{{ hostvars['prod'] | element.replication.element_connection('prod') }}"
"""

RETURN = r"""
_value:
  description: The connection options (a list of them, each with C(name), for a list of hosts).
  type: raw
  contains:
    hostname: {description: C(element_hostname)., type: str}
    port: {description: "C(element_port), or 443.", type: int}
    username: {description: C(element_username)., type: str}
    password: {description: C(element_password)., type: str}
    validate_certs: {description: "C(element_validate_certs), or true.", type: bool}
    ca_path: {description: "C(element_ca_path), or none.", type: str}
    display_name: {description: The inventory host's name., type: str}
"""

from typing import Any, Callable, Dict, List, Mapping, Union

from ansible.errors import AnsibleFilterError
from ansible_collections.element.replication.plugins.module_utils._topology import inventory_connection


def element_connection(host_vars: Mapping[str, Any], host: Any) -> Union[Dict[str, Any], List[Dict[str, Any]]]:
    if isinstance(host, (list, tuple)):
        return [dict(_connection(host_vars[name], name), name=name) for name in host]
    return _connection(host_vars, host)


def _connection(host_vars: Mapping[str, Any], host: str) -> Dict[str, Any]:
    try:
        return inventory_connection(host_vars, host)
    except ValueError as error:
        raise AnsibleFilterError(str(error)) from None


class FilterModule(object):
    def filters(self) -> Dict[str, Callable[..., Any]]:
        return {"element_connection": element_connection}
