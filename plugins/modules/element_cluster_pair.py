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
author:
  - element.replication maintainers (@element-replication)
extends_documentation_fragment:
  - element.replication.connection
  - element.replication.connection.PEER
  - element.replication.attributes
  - element.replication.attributes.ACTIONGROUP_ELEMENT
attributes:
  check_mode:
    support: full
    details:
      - Only read calls are made; RV(actions) lists exactly the calls a real run would make.
  diff_mode:
    support: full
    details:
      - Shows the pair as each cluster lists it (pair IDs, UUID, status) before and after.
  idempotent:
    support: full
options:
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
    - The pair between the two clusters after the run (predicted in check mode is not possible
      for new pairs, so in check mode this is the pair as it is now).
    - Empty when the clusters are not paired.
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
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.element.replication.plugins.module_utils._client import ElementError
from ansible_collections.element.replication.plugins.module_utils._cluster_pair import (
    ClusterPairRunner, pair_result)
from ansible_collections.element.replication.plugins.module_utils._connection import (
    Connections, connection_argument_spec)
from ansible_collections.element.replication.plugins.module_utils._plan import Refusal


def main():
    argument_spec = connection_argument_spec(peer="required")
    argument_spec.update(
        state=dict(type="str", default="present", choices=["present", "absent"]),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=60),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    connections = Connections(module)
    runner = ClusterPairRunner(connections, module.params["state"], check_mode=module.check_mode,
                               wait=module.params["wait"], wait_timeout=module.params["wait_timeout"])
    try:
        changed, before, after, local, peer = runner.run()
    except (ElementError, Refusal) as exc:
        module.fail_json(msg=connections.scrubber.scrub(str(exc)), actions=runner.actions, repairs=runner.repairs,
                         **_error_details(exc))
    finally:
        connections.close()
    result = dict(changed=changed, cluster_pair=pair_result(local, peer), actions=runner.actions,
                  repairs=runner.repairs)
    if module._diff:
        result["diff"] = dict(before=before, after=after)
    module.exit_json(**result)


def _error_details(exc):
    return {"error": exc.to_dict()} if isinstance(exc, ElementError) else {}


if __name__ == "__main__":
    main()
