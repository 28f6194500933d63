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
  lag:
    description:
      - Measure how far behind each volume pair is (C(lag_seconds), C(async_delay), and for
        V(SnapshotsOnly) pairs the C(recovery_point)), in RV(volume_pairs), RV(peer_volume_pairs) and
        RV(reconciled.volume_pairs).
      - An V(Async) pair's lag is its source volume's C(asyncDelay) (C(ListVolumeStats), the time since
        the volume was last synced with the remote cluster). A V(Sync) pair that is C(Active) is at zero
        lag; paused or disconnected, it falls behind like an V(Async) one. A V(SnapshotsOnly) pair
        replicates only snapshots taken with remote replication; its recovery point is the newest
        snapshot that has arrived on the target, and its lag is that snapshot's age (by the clusters'
        clocks, not the controller's). Such a pair without any replicated snapshot protects nothing, and
        its C(lag_findings) say so (code V(no_replicated_snapshot)). In the reconciled view, so does a
        source that no running schedule snapshots with remote replication (V(no_replicated_schedule)),
        whose schedule's last run failed (V(schedule_failed)) or is overdue (V(schedule_late)); a pair
        whose replicated schedule runs and is not late yet is waiting for its first replicated snapshot
        (V(first_snapshot_pending), with the next run) instead of V(no_replicated_snapshot).
      - Costs one C(ListVolumeStats) call per cluster, and one C(ListSnapshots) and one
        C(ListSchedules) on a cluster that holds a side of a V(SnapshotsOnly) pair, whatever the number
        of pairs. A cluster whose
        statistics cannot be read is named in RV(lag_errors); the rest of the result is still returned.
    type: bool
    default: true
    version_added: 1.1.0
notes:
  - Reads C(GetClusterInfo), C(ListClusterPairs) and C(ListVolumes) (every volume not purged, so that a
    one-sided pair can tell whether its remote volume still exists) on each cluster, and with O(lag)
    C(ListVolumeStats) (and C(ListSnapshots) and C(ListSchedules) where there are V(SnapshotsOnly) pairs).
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
    cluster:
      description: Name of this cluster.
      type: str
      version_added: 1.1.0
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
    lag_seconds:
      description:
        - How far behind the pair is, in seconds, as this cluster alone can tell (a source its
          C(asyncDelay); a target its own delay, zero while C(Active); a V(SnapshotsOnly) pair the
          age of its newest replicated snapshot). V(null) when unknown (see C(lag_findings)).
      type: float
      returned: with O(lag)
      version_added: 1.1.0
    async_delay:
      description: The volume's C(asyncDelay) as the cluster reported it (V(null) when the cluster gives none).
      type: str
      returned: with O(lag)
      version_added: 1.1.0
    recovery_point:
      description:
        - For V(SnapshotsOnly) pairs, the newest replicated snapshot (C(name), C(create_time),
          C(age_seconds)); V(null) when none has arrived, and for other modes.
      type: dict
      returned: with O(lag)
      version_added: 1.1.0
    lag_findings:
      description:
        - Why the lag is unknown (code V(lag_unknown)), or that a V(SnapshotsOnly) pair has no
          replicated snapshot and so protects nothing (code V(no_replicated_snapshot)), or (reconciled
          view) that no running schedule takes its replicated snapshots (V(no_replicated_schedule)), or its
          schedule's last run failed (V(schedule_failed)) or is overdue (V(schedule_late)), or (reconciled
          view) that it waits for its first replicated snapshot while its schedule is not late
          (V(first_snapshot_pending)); each a C(code) and a C(text).
      type: list
      elements: dict
      returned: with O(lag)
      version_added: 1.1.0
lag_errors:
  description: The clusters whose statistics (C(ListVolumeStats)) could not be read, each with the error; lags are then unknown.
  returned: always
  type: list
  elements: str
  version_added: 1.1.0
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
        - With O(lag), a complete pair also has C(lag_seconds), C(async_delay), C(recovery_point) and
          C(lag_findings) as in RV(volume_pairs), measured across both clusters (the source's
          C(asyncDelay), the target's snapshots and clock).
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
          lag_seconds: 4.25
          async_delay: PT4.25S
          recovery_point: null
          lag_findings: []
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
    cluster_pair_facts, reconciled, survey_all, volume_pair_facts)
from ansible_collections.element.replication.plugins.module_utils._results import Results


def identity_facts(cluster):
    identity = cluster.identity
    return {"name": identity.name, "unique_id": identity.unique_id, "uuid": identity.uuid, "mvip": identity.mvip}


def main():
    spec = connection_argument_spec(peer="optional")
    spec.argument_spec.update(list_volume_pairs=dict(type="bool", default=True), lag=dict(type="bool", default=True))
    module = spec.create_ansible_module(supports_check_mode=True)
    params = module.params
    connections = Connections(module)
    results = Results(module, connections)
    try:
        clients = {side: client for side, client in (("local", connections.local), ("peer", connections.peer))
                   if client is not None}
        surveys = survey_all(clients, lag=params["lag"])
    except ElementError as exc:
        results.fail(exc)
    finally:
        connections.close()
    local, peer = surveys["local"].cluster, surveys["peer"].cluster if "peer" in surveys else None
    lag_inputs = {s.cluster.identity.unique_id: s.lag for s in surveys.values() if s.lag is not None}

    def listed(cluster):
        if not params["list_volume_pairs"]:
            return []
        return volume_pair_facts(cluster, lag_inputs.get(cluster.identity.unique_id) if params["lag"] else None)

    result = dict(cluster=identity_facts(local), cluster_pairs=cluster_pair_facts(local), volume_pairs=listed(local),
                  lag_errors=[i.error for i in lag_inputs.values() if i.error])
    if peer is not None:
        result.update(peer_cluster=identity_facts(peer), peer_cluster_pairs=cluster_pair_facts(peer),
                      peer_volume_pairs=listed(peer),
                      reconciled=reconciled(surveys["local"], surveys["peer"]))
    results.finish(False, **result)


if __name__ == "__main__":
    main()
