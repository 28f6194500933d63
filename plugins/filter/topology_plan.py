# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: topology_plan
short_description: Normalize a replication topology into the work list of the collection's roles
version_added: 1.0.0
author:
  - element.replication maintainers (@element-replication)
description:
  - Used by the P(element.replication.cluster_pairing#role) role to build C(cluster_pairing_plan),
    which every role of the collection loops over. Applies every default of a topology entry.
  - C(entries) has one item per topology entry (C(index), C(key), C(label), C(source), C(target),
    C(mode), C(paused), C(state), C(exclusive), C(create_target), C(peer_account), C(split_site),
    C(volumes) as M(element.replication.element_volume_pair) items with only the keys that are set,
    and C(volume_work), whether the entry has volume pairs to converge).
  - C(cluster_pairs) has one item per pair of clusters (C(key), C(label), C(source), C(target),
    C(state), C(split_site), C(entries)). It is worked on by the source host of the first entry
    between the two clusters, so that entries in opposite directions never pair the same clusters
    twice at the same time; it is present when any of its entries is.
  - It checks nothing; the role's argument spec and P(element.replication.topology_problems#filter) run first.
positional: state
options:
  _input:
    description: The topology, a list of entries (see the P(element.replication.cluster_pairing#role) role).
    type: list
    elements: dict
    required: true
  state:
    description: When set, overrides the state of every entry and of every volume (V(absent) for a teardown).
    type: str
    choices: [present, absent]
"""

EXAMPLES = r"""
- name: Plan the work of every topology entry and cluster pair
  ansible.builtin.set_fact:
    plan: "{{ element_replication_topology | element.replication.topology_plan }}"

- name: The same, to tear everything down
  ansible.builtin.set_fact:
    plan: "{{ element_replication_topology | element.replication.topology_plan('absent') }}"
"""

RETURN = r"""
_value:
  description: The plan, with the keys C(entries) and C(cluster_pairs) described above.
  type: dict
"""

from typing import Any, Callable, Dict, List, Optional

from ansible_collections.element.replication.plugins.module_utils._topology import plan


def topology_plan(topology: Optional[List[Dict[str, Any]]], state: Optional[str] = None) -> Dict[str, List[Dict[str, Any]]]:
    return plan(topology, state)


class FilterModule(object):
    def filters(self) -> Dict[str, Callable[..., Any]]:
        return {"topology_plan": topology_plan}
