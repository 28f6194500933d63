# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: audit_records
short_description: Classify a replication topology's drift from the audit's check-mode results
version_added: 1.0.0
author:
  - element.replication maintainers (@element-replication)
description:
  - Used by the P(element.replication.replication_audit#role) role; turns what its tasks read and
    planned on every host into one finding record per topology entry.
  - Drift is what a converge run would change or could not do, a pairing task that reports changed
    or failed in check mode, and every pair between the entry's clusters whose reconciled health
    is not healthy. A pause that the topology declares is desired, not drift (health V(paused)).
    A cluster that cannot be read is an audit error, not drift.
  - Runs in linear time in the number of volume pairs, so audits of thousands of pairs stay fast.
positional: infos, cluster_checks, volume_checks
options:
  _input:
    description: The normalized topology (C(cluster_pairing_plan) of the P(element.replication.cluster_pairing#role) role).
    type: dict
    required: true
  infos:
    description:
      - The registered loop results of M(element.replication.element_replication_info), one per
        entry, from any number of hosts (each entry is read by its source host only).
    type: list
    elements: dict
    required: true
  cluster_checks:
    description: The registered loop results of M(element.replication.element_cluster_pair) in check mode.
    type: list
    elements: dict
    required: true
  volume_checks:
    description: The registered loop results of M(element.replication.element_volume_pair) in check mode.
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Classify what differs from the topology, for the entries of every host
  ansible.builtin.set_fact:
    records: >-
      {{ cluster_pairing_plan | element.replication.audit_records(
           ansible_play_hosts_all | map('extract', hostvars) | map(attribute='replication_audit_info.results', default=[]) | flatten(levels=1),
           ansible_play_hosts_all | map('extract', hostvars) | map(attribute='cluster_pairing_result.results', default=[]) | flatten(levels=1),
           ansible_play_hosts_all | map('extract', hostvars) | map(attribute='volume_pairing_result.results', default=[]) | flatten(levels=1)) }}
  run_once: true
"""

RETURN = r"""
_value:
  description:
    - One record per topology entry with C(health), C(reasons) (and C(findings), each with its
      machine-readable C(code) next to its C(text)), C(planned_actions), C(errors),
      C(cluster_pair_drift), C(volume_drift_count), C(drift_count) and C(volume_pairs) (each
      with its health, reasons, findings, planned actions and whether it is drift).
  type: list
  elements: dict
"""

from typing import Any, Callable, Dict, Iterable, List, Optional

from ansible_collections.element.replication.plugins.module_utils._audit import classify


def _first_by(results: Optional[List[Dict[str, Any]]], path: Iterable[str]) -> Dict[Any, Dict[str, Any]]:
    """Index loop results by a nested key of their loop variable (the first result wins)."""
    index: Dict[Any, Dict[str, Any]] = {}
    for result in results or []:
        value: Any = result
        for key in path:
            value = (value or {}).get(key)
        index.setdefault(value, result)
    return index


def _numbered(check: Optional[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """element_volume_pair reports its pairs in the order given: the Nth is the entry's volume N."""
    if check is None or "volume_pairs" not in check:
        return check
    return dict(check, volume_pairs=[dict(v, index=n) for n, v in enumerate(check["volume_pairs"], start=1)])


def audit_records(plan: Dict[str, Any], infos: Any, cluster_checks: Any, volume_checks: Any) -> List[Dict[str, Any]]:
    # Registered loop results of the pairing roles' own tasks (None when a loop did not run), keyed
    # by the entry or cluster pair their loop variable names. element_replication_audit needs none.
    by_entry = _first_by(infos, ("replication_audit_entry", "index"))
    by_pair = _first_by(cluster_checks, ("cluster_pairing_cluster_pair", "key"))
    checks = {index: _numbered(check) for index, check in _first_by(volume_checks, ("volume_pairing_entry", "index")).items()}
    return classify(plan, by_entry, by_pair, {k: v for k, v in checks.items() if v is not None})


class FilterModule(object):
    def filters(self) -> Dict[str, Callable[..., Any]]:
        return {"audit_records": audit_records}
