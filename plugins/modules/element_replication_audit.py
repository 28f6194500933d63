#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: element_replication_audit
short_description: Audit NetApp Element replication against a topology in one pass and write the drift report
version_added: 1.1.0
description:
  - Reads every cluster of the topology once (the facts, and the lag of every pair), computes what a
    converge would change with the same planners as M(element.replication.element_cluster_pair) and
    M(element.replication.element_volume_pair) in check mode, classifies the drift, and writes the
    report (O(report_path).json and O(report_path).md) on the machine it runs on. Changes no cluster.
  - The engine of the P(element.replication.replication_audit#role) role; the report is the one
    described in C(docs/drift-audit.md). The result carries the summary, not the report, so that an
    audit of thousands of pairs does not pass them through Ansible.
  - Reports C(changed) only when what the report says has changed; the report files are then
    rewritten. A report that says the same (only the time would differ) is left as it is.
  - A cluster that cannot be read is an audit error in the report (C(errors)); the module itself
    fails only when it cannot write the report.
author:
  - element.replication maintainers (@element-replication)
extends_documentation_fragment:
  - element.replication.attributes
attributes:
  check_mode:
    support: full
    details:
      - Makes no call that changes a cluster in any mode. In check mode it writes no file and reports
        whether the report would change. The audit role runs it with C(check_mode=false), so that the
        report is written under C(--check) too.
  diff_mode:
    support: full
    details:
      - Shows every declared volume pair that a converge would change, before and after.
  idempotent:
    support: full
  action:
    description: Indicates this has a corresponding action plugin, so some parts of the work run on the controller.
    support: full
    details:
      - All of it runs in the controller's process when the controller's Python has C(requests); otherwise
        this module runs where the task is delegated (the audit role delegates it to the controller).
options:
  topology:
    description:
      - The desired replication topology, as the collection's roles take it (C(element_replication_topology);
        see the P(element.replication.cluster_pairing#role) role). The module plans it with the
        P(element.replication.topology_plan#filter) filter's planner.
    type: list
    elements: dict
    required: true
  topology_name:
    description:
      - How messages name the topology when O(clusters) is taken from the inventory (the variable it came from).
        When O(topology) is the value of C(element_replication_topology), they name that variable.
    type: str
    default: element_replication_topology
  clusters:
    description:
      - The connection of every cluster of the topology, one per inventory host named in it, as
        C(hostvars | element.replication.element_connection(hosts)) builds them.
      - When omitted, taken from the inventory on the controller, as the collection's roles do. O(topology) is
        first checked against the inventory with the P(element.replication.topology_problems#filter) filter's
        checks (every source and target an inventory host with the C(element_hostname), C(element_username) and
        C(element_password) variables, split-site entries included; each direction declared once; a volume in one
        pair only). Any problem fails the task, naming the entry, before any cluster is read or any file written.
        Then each cluster's connection is built from its host's C(element_*) variables, as the
        P(element.replication.element_connection#filter) filter builds it.
    type: list
    elements: dict
    suboptions:
      name:
        description: The inventory host of the cluster, as the topology names it.
        type: str
        required: true
      hostname:
        description: Management virtual IP (MVIP) or host name of the cluster.
        type: str
        required: true
      port:
        description: HTTPS port of the API.
        type: int
        default: 443
      username:
        description: Cluster admin user name.
        type: str
        required: true
      password:
        description: Cluster admin password.
        type: str
        required: true
      validate_certs:
        description: Verify the cluster's TLS certificate.
        type: bool
        default: true
      ca_path:
        description: CA bundle (PEM) to verify the cluster's certificate with.
        type: path
      timeout:
        description: Seconds to wait for one API answer.
        type: float
        default: 30
      api_version:
        description: Element API version of the endpoint (C(/json-rpc/<version>)).
        type: str
        default: '12.0'
      display_name:
        description: Name of the cluster in messages until it has answered; defaults to O(clusters[].name).
        type: str
  sources:
    description:
      - Audit only the entries whose source is one of these inventory hosts (the others are left out
        of the report), as a play limited to some hosts (C(--limit prod)) does.
      - Default is every entry.
    type: list
    elements: str
  report_path:
    description:
      - Path of the report without extension; O(report_path).json and O(report_path).md are written,
        and the directory is created (mode 0755) when missing.
    type: path
    required: true
  play_name:
    description: Named in the Markdown report as what generated it.
    type: str
    default: ansible-playbook
  parallel:
    description: Clusters read at once.
    type: int
    default: 4
seealso:
  - module: element.replication.element_replication_info
  - plugin: element.replication.audit_report
    plugin_type: filter
notes:
  - Reads each cluster with at most C(GetClusterInfo), C(ListClusterPairs), C(ListVolumes),
    C(ListVolumeStats), and where V(SnapshotsOnly) pairs are, C(ListSnapshots) and
    C(ListSchedules) (C(ListAccounts) when an entry names accounts), whatever the number of entries
    and pairs.
"""

EXAMPLES = r"""
- name: Audit the topology and write the report
  element.replication.element_replication_audit:
    topology:
      - source: prod
        target: dr
        volumes:
          - volume: db01
    clusters:
      - name: prod
        hostname: prod-mvip.example.com
        username: admin
        password: "{{ prod_admin_password }}"
        ca_path: /etc/pki/element-ca.pem
      - name: dr
        hostname: dr-mvip.example.com
        username: admin
        password: "{{ dr_admin_password }}"
        ca_path: /etc/pki/element-ca.pem
    report_path: /srv/reports/replication-audit
  register: audit

- name: Fail on drift
  ansible.builtin.assert:
    that: audit.clean
    fail_msg: "{{ audit.summary }}"
"""

RETURN = r"""
clean:
  description: Whether the clusters match the topology and every cluster could be read.
  returned: success
  type: bool
  sample: false
drift_count:
  description: Drift findings (a cluster pair or a volume pair that differs from the topology).
  returned: success
  type: int
  sample: 1
audit_errors:
  description: What could not be audited (a cluster that could not be read, a lag that could not be measured).
  returned: success
  type: list
  elements: str
  sample: []
summary:
  description: The report's summary lines, as the audit role prints them.
  returned: success
  type: list
  elements: str
  sample:
    - "Replication audit of 1 cluster pair(s) and 2 volume pair(s): DRIFT: 1 finding(s)"
    - "Report: /srv/reports/replication-audit.md and /srv/reports/replication-audit.json"
    - "prod -> dr: db01 -> db01 healthy: mode is Async, the topology declares Sync; planned: mode Async -> Sync"
generated_at:
  description: The time the report that is now on disk was generated (UTC); an unchanged report keeps its time.
  returned: success
  type: str
  sample: "2026-12-06T19:00:00Z"
files:
  description: The files of the report, JSON then Markdown, and whether each was (or in check mode would be) written.
  returned: success
  type: list
  elements: dict
  contains:
    path:
      description: Absolute path of the file.
      type: str
    changed:
      description: Whether the file was (would be) written.
      type: bool
  sample:
    - path: /srv/reports/replication-audit.json
      changed: true
    - path: /srv/reports/replication-audit.md
      changed: true
"""

from ansible_collections.element.replication.plugins.module_utils._argspec import ArgumentSpec
from ansible_collections.element.replication.plugins.module_utils._audit_run import audit_plan, run_audit
from ansible_collections.element.replication.plugins.module_utils._connection import (
    Connections, clusters_argument_spec)
from ansible_collections.element.replication.plugins.module_utils._errors import Refusal
from ansible_collections.element.replication.plugins.module_utils._results import Results

# The action plugin of the same name validates with these too.
SPEC = clusters_argument_spec(required=False).merge(ArgumentSpec(dict(
    topology=dict(type="list", elements="dict", required=True),
    topology_name=dict(type="str", default="element_replication_topology"),
    sources=dict(type="list", elements="str"),
    report_path=dict(type="path", required=True),
    play_name=dict(type="str", default="ansible-playbook"),
    parallel=dict(type="int", default=4),
)))


def main():
    """Where the action plugin cannot run the audit in the controller's process (no requests there)."""
    module = SPEC.create_ansible_module(supports_check_mode=True)
    results = Results(module)
    if module.params["parallel"] < 1:
        results.fail("parallel must be at least 1, not %s" % module.params["parallel"])
    if module.params["clusters"] is None:  # the action plugin takes them from the inventory
        results.fail("clusters is required where the action plugin does not run")
    try:
        plan = audit_plan(module.params)
    except Refusal as exc:
        results.fail(exc)
    connections = Connections(module, clusters=True)
    results = Results(module, connections)
    try:
        changed, found, diff = run_audit(module.params, plan, connections.by_name, module.check_mode, results.scrub)
    except OSError as exc:
        results.fail("cannot write the replication report %s: %s" % (module.params["report_path"], exc))
    finally:
        connections.close()
    results.finish(changed, diff=diff, **found)


if __name__ == "__main__":
    main()
