#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: element_cluster_pair
short_description: Pair or unpair two NetApp Element clusters for replication
version_added: 1.0.0
description:
  - Makes sure the cluster given by the connection options and the O(peer) cluster are paired
    (O(state=present)) or not (O(state=absent)).
  - One task drives both sides. The module runs C(StartClusterPairing) on this cluster and
    C(CompleteClusterPairing) on the peer; the pairing key, which holds credentials, never leaves
    the module.
  - Clusters are identified by their unique ID, not by the address typed in the task, so an FQDN
    instead of an IP address, a port in O(hostname), or a changed MVIP never pairs the clusters twice.
  - Every half-done state is repaired, for both states. A pending pair that was started and never
    completed (on either cluster) is removed, because its key is lost. A pair listed on one cluster
    only is removed and the clusters are paired anew. Duplicate pairs between the same clusters are
    removed. RV(repairs) says what was repaired.
  - Pending pairs carry no record of the cluster they were meant for, so the module treats every
    pending pair on either cluster as a leftover. Do not run it while someone completes a pairing
    key by hand on one of the two clusters.
  - The module refuses, before any change, to pair a cluster with itself, to pair a cluster that
    already has the maximum of four cluster pairs, and to remove a cluster pair (or a stale half of
    one) that volume pairs still use.
  - If C(CompleteClusterPairing) fails, the pending pair just started on this cluster is removed
    again and the peer's error is reported.
  - B(Split-site pairing), for when nobody holds the credentials of both clusters. Run
    O(step=start) on one cluster; it writes the pairing key to O(pairing_key_file) (mode 0600; the
    key contains credentials and is never printed or returned), replacing any pairing started
    there earlier and never completed. Hand the file over securely (for example encrypted with
    C(ansible-vault)) and run O(step=complete) on the other cluster with O(pairing_key_file) or
    O(pairing_key). Neither step needs O(peer). A complete step whose pair already exists does nothing.
author:
  - element.replication maintainers (@element-replication)
extends_documentation_fragment:
  - element.replication.connection
  - element.replication.connection.PEER_OPTIONAL
  - element.replication.attributes
  - element.replication.attributes.ACTIONGROUP_ELEMENT
attributes:
  check_mode:
    support: full
    details:
      - Only read calls are made; RV(actions) lists exactly the calls a real run would make.
      - With O(step=start), no key file is written.
  diff_mode:
    support: full
    details:
      - Shows the pair as each cluster lists it (pair IDs, UUID, status) before and after.
      - Not with O(step=start) or O(step=complete), which see one cluster only.
  idempotent:
    support: full
options:
  step:
    description:
      - V(both) drives both clusters in one run and needs O(peer).
      - V(start) and V(complete) are the two halves of split-site pairing, each run with one
        cluster's credentials (the connection options); see the description.
    type: str
    choices: [both, start, complete]
    default: both
  pairing_key_file:
    description:
      - With O(step=start), the file the pairing key is written to (created with mode 0600,
        replaced atomically). With O(step=complete), the file to read the key from.
    type: path
  pairing_key:
    description:
      - With O(step=complete), the cluster pairing key itself (for example from a vaulted variable),
        instead of O(pairing_key_file). It contains credentials; it is never logged or returned.
    type: str
  peer_cluster:
    description:
      - With O(step=start), the name, unique ID or MVIP of the other cluster as this cluster lists
        it. When the two are already paired and connected, the start step does nothing.
    type: str
  state:
    description:
      - V(present) pairs the two clusters, V(absent) unpairs them on both sides.
      - O(state=absent) is refused while volume pairs use the cluster pair.
    type: str
    choices: [present, absent]
    default: present
  wait:
    description:
      - After pairing, wait until both clusters report the pair as C(Connected).
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for C(Connected) when O(wait=true). The module fails when the pair has not
        connected by then, reporting the status reached on each side.
    type: int
    default: 60
notes:
  - A no-op run makes four API calls (C(GetClusterInfo) and C(ListClusterPairs) on each cluster).
  - O(peer) is required with O(step=both).
  - The cluster admin on each cluster needs the C(clusterAdmin) access type or C(administrator).
seealso:
  - module: element.replication.element_volume_pair
  - module: element.replication.element_replication_info
  - name: Element API cluster pairing order of operations
    description: NetApp's description of StartClusterPairing and CompleteClusterPairing.
    link: https://docs.netapp.com/us-en/element-software/api/reference_element_api_cluster_pairing_order_of_operations.html
"""

EXAMPLES = r"""
- name: Pair the production cluster with the DR cluster
  element.replication.element_cluster_pair:
    hostname: prod-mvip.example.com
    username: admin
    password: "{{ prod_admin_password }}"
    ca_path: /etc/pki/element-ca.pem
    peer:
      hostname: dr-mvip.example.com
      username: admin
      password: "{{ dr_admin_password }}"
      ca_path: /etc/pki/element-ca.pem
    state: present

- name: Connection options for every module of the collection, set once
  module_defaults:
    group/element.replication.element:
      hostname: prod-mvip.example.com
      username: admin
      password: "{{ prod_admin_password }}"
      peer:
        hostname: dr-mvip.example.com
        username: admin
        password: "{{ dr_admin_password }}"
  block:
    - name: Audit the pairing without changing anything
      element.replication.element_cluster_pair:
        state: present
      check_mode: true
      diff: true
      register: pairing

    - name: Show what a real run would do
      ansible.builtin.debug:
        var: pairing.actions

- name: Split-site pairing, step 1 on the production controller (production credentials only)
  element.replication.element_cluster_pair:
    hostname: prod-mvip.example.com
    username: admin
    password: "{{ prod_admin_password }}"
    step: start
    peer_cluster: dr
    pairing_key_file: /secure/prod-to-dr.key

- name: Split-site pairing, step 2 on the DR controller (DR credentials only), key file handed over
  element.replication.element_cluster_pair:
    hostname: dr-mvip.example.com
    username: admin
    password: "{{ dr_admin_password }}"
    step: complete
    pairing_key_file: /secure/prod-to-dr.key

- name: Unpair the clusters (after every volume pair between them was removed)
  element.replication.element_cluster_pair:
    hostname: prod-mvip.example.com
    username: admin
    password: "{{ prod_admin_password }}"
    peer:
      hostname: dr-mvip.example.com
      username: admin
      password: "{{ dr_admin_password }}"
    state: absent
"""

RETURN = r"""
cluster_pair:
  description:
    - The pair between the two clusters after the run; in check mode, the pair as it is before the
      run (the diff shows what the run would make of it).
    - Empty when the clusters are not paired, and with O(step=start) or O(step=complete).
  returned: always
  type: dict
  sample:
    cluster_pair_uuid: 0b2c8e4e-4f1a-4c43-9a63-1c1d2b7f5e0a
    local_cluster_pair_id: 1
    peer_cluster_pair_id: 3
    local_status: Connected
    peer_status: Connected
    latency: 1
    local_name: prod
    local_mvip: 10.0.0.10
    local_unique_id: ab12
    peer_name: dr
    peer_mvip: 10.1.0.10
    peer_unique_id: cd34
  contains:
    cluster_pair_uuid:
      description: UUID of the pair, the same on both clusters.
      type: str
      returned: when paired
    local_cluster_pair_id:
      description: This cluster's ID for the pair.
      type: int
      returned: when paired
    peer_cluster_pair_id:
      description: The peer's ID for the pair.
      type: int
      returned: when paired
    local_status:
      description: Status of the pair as this cluster reports it (V(Connected), V(Disconnected), V(Misconfigured)).
      type: str
      returned: when paired
    peer_status:
      description: Status of the pair as the peer reports it.
      type: str
      returned: when paired
    latency:
      description: Latency between the clusters in milliseconds, as this cluster reports it.
      type: int
      returned: when paired
    local_name:
      description: Name of this cluster.
      type: str
      returned: when paired
    local_mvip:
      description: MVIP of this cluster.
      type: str
      returned: when paired
    local_unique_id:
      description: Unique ID of this cluster.
      type: str
      returned: when paired
    peer_name:
      description: Name of the peer cluster.
      type: str
      returned: when paired
    peer_mvip:
      description: MVIP of the peer cluster.
      type: str
      returned: when paired
    peer_unique_id:
      description: Unique ID of the peer cluster.
      type: str
      returned: when paired
actions:
  description:
    - The API calls made, in order; in check mode the calls a real run would make.
    - Secret parameters (the pairing key) are shown as C(********).
  returned: always
  type: list
  elements: dict
  sample:
    - cluster: prod
      side: local
      method: StartClusterPairing
      params: {}
      reason: create a pairing key on prod
    - cluster: dr
      side: peer
      method: CompleteClusterPairing
      params:
        clusterPairingKey: "********"
      reason: complete the pairing on dr with the key from prod
  contains:
    cluster:
      description: Name of the cluster the call goes to.
      type: str
    side:
      description: V(local) for the cluster of the connection options, V(peer) for O(peer).
      type: str
    method:
      description: Element API method.
      type: str
    params:
      description: Parameters of the call, secrets masked.
      type: dict
    reason:
      description: Why the call is made.
      type: str
repairs:
  description: Half-done states found and repaired (or, in check mode, to be repaired).
  returned: always
  type: list
  elements: str
  sample:
    - removed pending pair 2 (started, never completed) on dr
notes:
  description: With O(step=start) or O(step=complete), why nothing had to be done, if so.
  returned: when O(step) is V(start) or V(complete)
  type: list
  elements: str
pending_cluster_pair_id:
  description: With O(step=start), this cluster's ID of the pending pair the key belongs to.
  returned: when O(step=start) started a pairing
  type: int
"""

from ansible_collections.element.replication.plugins.module_utils._argspec import ArgumentSpec
from ansible_collections.element.replication.plugins.module_utils._cluster_pair import (
    ClusterPairRunner, pair_result, pair_view, predicted_view)
from ansible_collections.element.replication.plugins.module_utils._connection import (
    Connections, connection_argument_spec)
from ansible_collections.element.replication.plugins.module_utils._plan import Waiter
from ansible_collections.element.replication.plugins.module_utils._results import Results
from ansible_collections.element.replication.plugins.module_utils._split_site import SplitClusterRunner

OPTIONS = ArgumentSpec(dict(
    step=dict(type="str", default="both", choices=["both", "start", "complete"]),
    pairing_key_file=dict(type="path", no_log=False),
    pairing_key=dict(type="str", no_log=True),
    peer_cluster=dict(type="str"),
    state=dict(type="str", default="present", choices=["present", "absent"]),
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=60),
), required_if=[("step", "both", ["peer"]), ("step", "start", ["pairing_key_file"]),
                ("step", "complete", ["pairing_key_file", "pairing_key"], True)],
    mutually_exclusive=[("pairing_key", "pairing_key_file")])


def main():
    module = connection_argument_spec(peer="optional").merge(OPTIONS).create_ansible_module(supports_check_mode=True)
    params = module.params
    connections = Connections(module, needs_peer=params["step"] == "both")
    results = Results(module, connections)
    if params["step"] != "both":
        split_step(module, connections, results)
    runner = ClusterPairRunner(connections, params["state"], check_mode=module.check_mode,
                               waiter=Waiter(enabled=params["wait"], timeout=params["wait_timeout"]))
    changed = results.run(runner)
    local, peer = runner.first_state
    if module.check_mode:
        after, repairs = predicted_view(local, peer, runner.first_plan), runner.first_plan.repairs
    else:
        local, peer = runner.last_state
        after, repairs = pair_view(local, peer), runner.repairs
    results.finish(changed, cluster_pair=pair_result(local, peer), actions=runner.reported_actions(), repairs=repairs,
                   diff=(pair_view(*runner.first_state), after))


def split_step(module, connections, results):
    """Run one half of split-site pairing on the cluster of the connection options."""
    params = module.params
    if params["state"] != "present":
        results.fail("step=%s pairs clusters; unpair with step=both and state=absent" % params["step"])
    runner = SplitClusterRunner(connections, params["step"], module.check_mode, key_file=params["pairing_key_file"],
                                key=params["pairing_key"], peer_cluster=params["peer_cluster"])
    changed = results.run(runner)
    plan = runner.first_plan
    extra = {} if runner.pending_cluster_pair_id is None else {"pending_cluster_pair_id": runner.pending_cluster_pair_id}
    results.finish(changed, cluster_pair={}, actions=runner.reported_actions(), repairs=plan.repairs, notes=plan.notes,
                   **extra)


if __name__ == "__main__":
    main()
