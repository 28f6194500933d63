#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: element_replication_info
short_description: Report the cluster pairs and volume pairs of NetApp Element clusters, reconciled across both sides
version_added: 1.0.0
description:
  - Reads the cluster pairs and the paired volumes of the cluster given by the connection options.
  - With O(peer), reads the peer too and reconciles the two views. The cluster pair and every
    volume pair between the two clusters are classified as V(healthy), V(pending) (started, never
    completed), V(one-sided) (listed by one cluster only), or V(mismatched) (mode differs between
    the sides, paused on one side, wrong access on either volume, target smaller than source,
    disconnected, or any other non-flowing state), each with its reasons in plain words.
  - Never changes anything. Pairing keys and credentials are never returned.
author:
  - element.replication maintainers (@element-replication)
extends_documentation_fragment:
  - element.replication.connection
  - element.replication.connection.PEER_OPTIONAL
  - element.replication.attributes
  - element.replication.attributes.ACTIONGROUP_ELEMENT
  - element.replication.attributes.INFO_MODULE
options:
  list_volume_pairs:
    description:
      - Return each cluster's own volume pair entries in RV(volume_pairs) and RV(peer_volume_pairs).
      - Turn it off when only RV(reconciled) is needed; with thousands of pairs the lists are large
        and the lists are then empty.
    type: bool
    default: true
notes:
  - Reads C(GetClusterInfo), C(ListClusterPairs) and C(ListVolumes) (all active volumes, so that a
    one-sided pair can tell whether its remote volume still exists) on each cluster.
seealso:
  - module: element.replication.element_cluster_pair
  - module: element.replication.element_volume_pair
"""

EXAMPLES = r"""
- name: Reconcile the replication between production and DR
  element.replication.element_replication_info:
    hostname: prod-mvip.example.com
    username: admin
    password: "{{ prod_admin_password }}"
    peer:
      hostname: dr-mvip.example.com
      username: admin
      password: "{{ dr_admin_password }}"
  register: replication

- name: Fail when any pair needs attention
  ansible.builtin.assert:
    that:
      - replication.reconciled.cluster_pair.health == 'healthy'
      - replication.reconciled.volume_pairs | rejectattr('health', 'equalto', 'healthy') | list | length == 0
    fail_msg: "{{ replication.reconciled.volume_pairs | rejectattr('health', 'equalto', 'healthy') | map(attribute='reasons') | flatten }}"

- name: List the pairs of one cluster
  element.replication.element_replication_info:
    hostname: dr-mvip.example.com
    username: admin
    password: "{{ dr_admin_password }}"
  register: dr
"""

RETURN = r"""
cluster:
  description: Identity of the cluster given by the connection options.
  returned: always
  type: dict
  contains:
    name:
      description: Cluster name.
      type: str
    unique_id:
      description: Four-character unique ID.
      type: str
    uuid:
      description: Cluster UUID.
      type: str
    mvip:
      description: Management virtual IP.
      type: str
cluster_pairs:
  description: The cluster's cluster pairs (C(ListClusterPairs)), pending ones included.
  returned: always
  type: list
  elements: dict
  contains:
    cluster_pair_id:
      description: This cluster's ID for the pair.
      type: int
    cluster_pair_uuid:
      description: UUID of the pair, shared by both clusters.
      type: str
    remote_cluster_name:
      description: Name of the other cluster; empty while pending.
      type: str
    remote_mvip:
      description: MVIP of the other cluster; empty while pending.
      type: str
    remote_unique_id:
      description: Unique ID of the other cluster; empty while pending.
      type: str
    status:
      description: V(Connected), V(Disconnected), V(Misconfigured), or V(Unconfigured) while pending.
      type: str
    latency:
      description: Latency in milliseconds.
      type: int
    version:
      description: Element version of the other cluster.
      type: str
    pending:
      description: Started with C(StartClusterPairing) and never completed.
      type: bool
volume_pairs:
  description: One entry per volume pair entry of the cluster's volumes, pending ones included.
  returned: always
  type: list
  elements: dict
  contains:
    volume_id:
      description: Volume ID on this cluster.
      type: int
    volume_name:
      description: Volume name.
      type: str
    access:
      description: Volume access (V(readWrite) on sources, V(replicationTarget) on targets).
      type: str
    total_size:
      description: Volume size in bytes.
      type: int
    cluster_pair_id:
      description: This cluster's ID of the cluster pair the volume pair uses; 0 while pending.
      type: int
    remote_cluster_name:
      description: Name of the cluster the volume is paired with.
      type: str
    remote_volume_id:
      description: ID of the paired volume on the other cluster; 0 while pending.
      type: int
    remote_volume_name:
      description: Name of the paired volume.
      type: str
    volume_pair_uuid:
      description: UUID of the volume pair, shared by both sides.
      type: str
    mode:
      description: Replication mode.
      type: str
    state:
      description: Replication state on this side (for example V(Active), V(PausedManual)).
      type: str
    snapshot_state:
      description: Snapshot replication state.
      type: str
    pending:
      description: Started with C(StartVolumePairing) and never completed.
      type: bool
peer_cluster:
  description: Identity of the peer, like RV(cluster).
  returned: when O(peer) is given
  type: dict
peer_cluster_pairs:
  description: The peer's cluster pairs, like RV(cluster_pairs).
  returned: when O(peer) is given
  type: list
  elements: dict
peer_volume_pairs:
  description: The peer's volume pair entries, like RV(volume_pairs).
  returned: when O(peer) is given
  type: list
  elements: dict
reconciled:
  description: Both views of every pair between the two clusters, classified.
  returned: when O(peer) is given
  type: dict
  contains:
    cluster_pair:
      description:
        - The cluster pair between the two clusters, with RV(reconciled.cluster_pair.health) V(healthy),
          V(pending), V(one-sided), V(mismatched) or V(absent) and RV(reconciled.cluster_pair.reasons).
      type: dict
      contains:
        health:
          description: Classification of the cluster pair.
          type: str
        reasons:
          description: Why it is not healthy, in words.
          type: list
          elements: str
        findings:
          description:
            - The same as RV(reconciled.cluster_pair.reasons), each with a machine-readable C(code)
              (for example V(cluster_pair_not_connected)) next to its C(text). Act on the codes, not on the words.
          type: list
          elements: dict
          version_added: 1.1.0
    volume_pairs:
      description:
        - Every volume pair between the two clusters, with C(health), C(reasons) (and the same as
          C(findings), each a C(code) such as V(paused_by_hand) or V(mode_differs) with its C(text)),
          and for the source and the target side (C(source_*), C(target_*)) the cluster, volume
          ID, name, access, size, state and mode.
        - The C(readWrite) volume is the source.
      type: list
      elements: dict
      sample:
        - volume_pair_uuid: 229fcbf3-2d35-4625-865a-d04bb9455cef
          health: mismatched
          reasons:
            - "mode differs between sides: Async on prod, Sync on dr"
          findings:
            - code: mode_differs
              text: "mode differs between sides: Async on prod, Sync on dr"
          source_cluster: prod
          source_volume_id: 12
          source_volume_name: db01
          source_access: readWrite
          source_total_size: 10737418240
          source_state: Active
          source_mode: Async
          target_cluster: dr
          target_volume_id: 40
          target_volume_name: db01
          target_access: replicationTarget
          target_total_size: 10737418240
          target_state: Active
          target_mode: Sync
    summary:
      description: Number of volume pairs per health.
      type: dict
      sample:
        healthy: 10
        pending: 0
        one-sided: 1
        mismatched: 2
"""

from ansible_collections.element.replication.plugins.module_utils._connection import (
    Connections, connection_argument_spec)
from ansible_collections.element.replication.plugins.module_utils._errors import ElementError
from ansible_collections.element.replication.plugins.module_utils._reconcile import (
    cluster_pair_facts, reconcile, volume_pair_facts)
from ansible_collections.element.replication.plugins.module_utils._results import Results
from ansible_collections.element.replication.plugins.module_utils._state import read_cluster


def identity_facts(cluster):
    identity = cluster.identity
    return {"name": identity.name, "unique_id": identity.unique_id, "uuid": identity.uuid, "mvip": identity.mvip}


def main():
    spec = connection_argument_spec(peer="optional")
    spec.argument_spec.update(list_volume_pairs=dict(type="bool", default=True))
    module = spec.create_ansible_module(supports_check_mode=True)
    listed = volume_pair_facts if module.params["list_volume_pairs"] else (lambda cluster: [])
    connections = Connections(module)
    results = Results(module, connections)
    try:
        local = read_cluster(connections.local, volumes=True)
        peer = read_cluster(connections.peer, volumes=True) if connections.peer else None
    except ElementError as exc:
        results.fail(exc)
    finally:
        connections.close()
    result = dict(cluster=identity_facts(local), cluster_pairs=cluster_pair_facts(local), volume_pairs=listed(local))
    if peer is not None:
        result.update(peer_cluster=identity_facts(peer), peer_cluster_pairs=cluster_pair_facts(peer),
                      peer_volume_pairs=listed(peer), reconciled=reconcile(local, peer))
    results.finish(False, **result)


if __name__ == "__main__":
    main()
