# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: audit_report
short_description: Build the replication audit's report, its Markdown page and its summary lines
version_added: 1.0.0
author:
  - element.replication maintainers (@element-replication)
description:
  - Used by the P(element.replication.replication_audit#role) role on the finding records of every
    host (see the P(element.replication.audit_records#filter) filter).
  - The report counts a cluster pair's own drift once, even when entries in both directions report it.
  - The Markdown page has the verdict, a Mermaid diagram of the topology (clusters as nodes, pairs
    as edges labelled with mode and health, drifted ones in red) and a table per cluster pair.
positional: generated_at, report_path, play_name
options:
  _input:
    description: The finding records (from the P(element.replication.audit_records#filter) filter), in any order.
    type: list
    elements: dict
    required: true
  generated_at:
    description: Time stamp written into the report.
    type: str
    required: true
  report_path:
    description: Path of the report files without extension, for the summary lines.
    type: str
    required: true
  play_name:
    description: Name of the play, for the Markdown page.
    type: str
    default: ansible-playbook
"""

EXAMPLES = r"""
- name: Classify what differs from the topology and build the report
  ansible.builtin.set_fact:
    audit: >-
      {{ cluster_pairing_plan
         | element.replication.audit_records(infos, cluster_checks, volume_checks)
         | element.replication.audit_report(now(utc=true, fmt='%Y-%m-%dT%H:%M:%SZ'), '/srv/reports/audit', ansible_play_name) }}
"""

RETURN = r"""
_value:
  description: The report and its two renderings.
  type: dict
  contains:
    report:
      description: C(generated_at), C(clean), C(drift_count), C(errors) and C(cluster_pairs) (the records, in topology order).
      type: dict
    json:
      description: The report as indented JSON text, ready to be written to a file.
      type: str
    markdown:
      description: The report as a Markdown page.
      type: str
    summary:
      description: A few lines for the play output, the verdict, where the report is, and each finding.
      type: list
      elements: str
"""

from typing import Any, Callable, Dict, List

from ansible_collections.element.replication.plugins.module_utils._audit_report import render


def audit_report(records: List[Dict[str, Any]], generated_at: str, report_path: str,
                 play_name: str = "ansible-playbook") -> Dict[str, Any]:
    return render(records, generated_at, report_path, play_name)


class FilterModule(object):
    def filters(self) -> Dict[str, Callable[..., Any]]:
        return {"audit_report": audit_report}
