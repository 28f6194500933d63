# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: topology_problems
short_description: What is wrong with a replication topology, checked against the inventory
version_added: 1.1.0
author:
  - element.replication maintainers (@element-replication)
description:
  - Used by the P(element.replication.cluster_pairing#role) role, and so by every role of the
    collection, before anything is changed. Returns one message per problem, naming the entry
    (and the volume item), or an empty list.
  - Checks what the role's argument spec cannot. Every source and target is an inventory host
    with the C(element_hostname), C(element_username) and C(element_password) variables (split-site
    entries need them only for the hosts in the play, unless O(needs_both)). Each direction is
    declared once, and the entries between two clusters agree on C(split_site). Split-site entries
    only pair. A volume is named by one pair only, across every entry of the topology.
  - Also checks, before the roles' argument specs (which would name their own variables), that the
    topology is a list of dicts, and names unknown keys, values of the wrong type and values that are not
    one of their choices, in entries, volume items and C(snapshots) groups.
positional: hostvars, inventory_hosts, play_hosts
options:
  _input:
    description: The topology, a list of entries (see the P(element.replication.cluster_pairing#role) role).
    type: list
    elements: dict
    required: true
  hostvars:
    description: The inventory's host variables (C(hostvars)).
    type: dict
    required: true
  inventory_hosts:
    description: Every host of the inventory (C(groups['all'])).
    type: list
    elements: str
    required: true
  play_hosts:
    description: The hosts of the play (C(ansible_play_hosts_all)); defaults to every inventory host.
    type: list
    elements: str
  name:
    description: How messages name the topology variable.
    type: str
    default: element_replication_topology
  user_topology:
    description:
      - The value of C(element_replication_topology), if set. When the topology is that value (a role's
        own topology variable left at its default), messages name C(element_replication_topology), the
        variable the user set, whatever O(name) says.
    type: raw
  needs_both:
    description: Whether the role drives both clusters of split-site entries at once (the audit, failover).
    type: bool
    default: false
  state:
    description: The state that overrides every entry's (V(absent) for a teardown), if any.
    type: str
"""

EXAMPLES = r"""
- name: Refuse a topology that contradicts itself or the inventory, before any change
  ansible.builtin.assert:
    that: problems | length == 0
    fail_msg: "{{ problems }}"
  vars:
    problems: >-
      {{ element_replication_topology
         | element.replication.topology_problems(hostvars, groups['all'], ansible_play_hosts_all) }}
"""

RETURN = r"""
_value:
  description: One sentence per problem; empty when the topology is valid.
  type: list
  elements: str
"""

from typing import Any, Callable, Dict, Iterable, List, Optional

from ansible_collections.element.replication.plugins.module_utils._topology import problems

USER_VARIABLE = "element_replication_topology"


def topology_problems(topology: Optional[List[Dict[str, Any]]], hostvars: Any, inventory_hosts: Iterable[str],
                      play_hosts: Optional[Iterable[str]] = None, name: str = "element_replication_topology",
                      needs_both: bool = False, state: Optional[str] = None, user_topology: Any = None) -> List[str]:
    if user_topology is not None and topology == user_topology:
        name = USER_VARIABLE  # the role's variable holds the user's: name the one the user set
    return problems(topology, hostvars, list(inventory_hosts), play_hosts=play_hosts, name=name,
                    needs_both=needs_both, state=state)


class FilterModule(object):
    def filters(self) -> Dict[str, Callable[..., Any]]:
        return {"topology_problems": topology_problems}
