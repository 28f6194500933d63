# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: topology_select
short_description: The topology entries a failover or rehearsal works on
version_added: 1.1.0
author:
  - element.replication maintainers (@element-replication)
description:
  - Used by the P(element.replication.dr_failover#role) and P(element.replication.dr_rehearsal#role)
    roles on the plan of the P(element.replication.topology_plan#filter) filter.
  - Entries are selected by C(source:target) (inventory hosts) or by their index in the topology;
    an empty selection selects every entry. Only V(present) entries with volumes are selected.
positional: wanted
options:
  _input:
    description: The normalized topology (C(cluster_pairing_plan)).
    type: dict
    required: true
  wanted:
    description: The selectors, a list or a comma-separated string (as C(-e) gives it).
    type: raw
"""

EXAMPLES = r"""
- name: Select the entries given with -e entries=prod:dr,edge:dr
  ansible.builtin.set_fact:
    selection: "{{ cluster_pairing_plan | element.replication.topology_select(entries | default([])) }}"
"""

RETURN = r"""
_value:
  description: C(entries), the selected entries, and C(unknown), the selectors that match no entry.
  type: dict
"""

from typing import Any, Dict, List

from ansible_collections.element.replication.plugins.module_utils._topology import select


def topology_select(plan: Dict[str, Any], wanted: Any = None) -> Dict[str, List[Any]]:
    return select(plan, wanted)


class FilterModule(object):
    def filters(self) -> Dict[str, Any]:
        return {"topology_select": topology_select}
