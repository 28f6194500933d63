#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

# The work is done by the action plugin of the same name, on the controller; this file documents it.

DOCUMENTATION = r"""
module: element_replication_report
short_description: Write a replication audit report, as JSON and Markdown, on the controller
version_added: 1.0.0
description:
  - Writes O(path).json and O(path).md on the Ansible controller, creating the directory of
    O(path) (mode 0755) when it is missing. Each file is replaced atomically, so a reader never sees
    half a report.
  - Used by the P(element.replication.replication_audit#role) role with the output of the
    P(element.replication.audit_report#filter) filter. It writes both files in the controller's
    own process, which is several times faster than two C(ansible.builtin.copy) tasks.
  - Makes no call to any cluster and takes no connection options, so it is not in the
    C(group/element.replication.element) action group (the group's defaults would be unknown
    options here).
author:
  - element.replication maintainers (@element-replication)
extends_documentation_fragment:
  - element.replication.attributes
attributes:
  check_mode:
    support: full
    details:
      - Reports which files would change and writes nothing. The audit role writes its report
        under C(--check) too, by running this task with C(check_mode=false).
  diff_mode:
    support: full
  idempotent:
    support: full
  action:
    description: Indicates this has a corresponding action plugin, so some parts of the work run on the controller.
    support: full
    details:
      - All of it runs on the controller.
  async:
    description: Supports being used with the C(async) keyword.
    support: none
  delegation:
    description: Can be used in conjunction with C(delegate_to) and related keywords.
    support: none
    details:
      - Always writes on the controller, whatever C(delegate_to) says.
options:
  path:
    description:
      - Path of the report on the controller, without extension.
    type: path
    required: true
  json:
    description:
      - Text of the JSON report, written to O(path).json.
    type: str
    required: true
  markdown:
    description:
      - Text of the Markdown report, written to O(path).md.
    type: str
    required: true
  mode:
    description:
      - Permissions of both files, as an octal string.
    type: str
    default: '0644'
seealso:
  - plugin: element.replication.audit_report
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Build the audit report
  ansible.builtin.set_fact:
    audit: >-
      {{ cluster_pairing_plan
         | element.replication.audit_records(infos, cluster_checks, volume_checks)
         | element.replication.audit_report(now(utc=true, fmt='%Y-%m-%dT%H:%M:%SZ'), '/srv/reports/audit', ansible_play_name) }}

- name: Write it, also under --check
  element.replication.element_replication_report:
    path: /srv/reports/audit
    json: "{{ audit.json }}"
    markdown: "{{ audit.markdown }}"
  check_mode: false
"""

RETURN = r"""
files:
  description: The files of the report, in the order JSON, Markdown.
  returned: always
  type: list
  elements: dict
  contains:
    path:
      description: Absolute path of the file.
      type: str
      sample: /srv/reports/audit.json
    changed:
      description: Whether the file was (or, in check mode, would be) written or its mode changed.
      type: bool
      sample: true
  sample:
    - path: /srv/reports/audit.json
      changed: true
    - path: /srv/reports/audit.md
      changed: true
"""
