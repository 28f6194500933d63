# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""No admin password, pairing key, or credential decoded from a cluster pairing key appears in
anything a run leaves behind: the -vvvv output, the Ansible log, every registered result, the
JSON written by the tree callback, and the simulator's own logs."""

from __future__ import annotations

from types import SimpleNamespace

from helpers import secret_values, scan_for_secrets

PAIR = {"name": "pair clusters", "element.replication.element_cluster_pair": {}}
VOLUMES = {"name": "pair volumes", "element.replication.element_volume_pair": {
    "pairs": [{"volume": "vol-0001"}, {"volume": "vol-0002", "mode": "Sync"}, {"volume": "vol-0003", "paused": True}]}}
INFO = {"name": "info", "element.replication.element_replication_info": {}, "register": "info"}
SHOW = {"name": "show everything", "ansible.builtin.debug": {"var": "info"}}
FAILOVER = {"name": "fail over", "element.replication.element_replication_failover": {
    "primary": "peer", "pairs": [{"volume": "vol-0001"}, {"volume": "vol-0002"}]}}
FAILBACK = {"name": "fail back", "element.replication.element_replication_failover": {
    "primary": "local", "pairs": [{"volume": "vol-0001"}, {"volume": "vol-0002"}]}}
UNPAIR_VOLUMES = {"name": "unpair volumes", "element.replication.element_volume_pair": {
    "pairs": [{"volume": "vol-0001"}, {"volume": "vol-0002"}, {"volume": "vol-0003"}], "state": "absent"}}
UNPAIR = {"name": "unpair clusters", "element.replication.element_cluster_pair": {"state": "absent"}}


def test_modules_at_full_verbosity_leak_no_secret(sim, ansible, tmp_path):
    outputs = []
    outputs.append(ansible.play([PAIR, VOLUMES, INFO, SHOW], check=True, diff=True, verbosity=4))
    outputs.append(ansible.play([PAIR, VOLUMES, INFO, SHOW], diff=True, verbosity=4))
    outputs.append(ansible.play([FAILOVER, FAILBACK], diff=True, verbosity=4))
    # The secrets exist now: the pairing credentials and keys are read from the simulator's state.
    secrets = secret_values(sim)
    assert any(s.startswith("__SF_pair_") for s in secrets) and len(secrets) > 8
    # A completion that fails (rolled back) and a pairing done again, to cover the error paths.
    sim.cluster("edge").add_fault("CompleteClusterPairing", "error", error="xExceededLimit")
    outputs.append(ansible.play([PAIR], peer="edge", verbosity=4))
    outputs.append(ansible.play([PAIR], peer="edge", verbosity=4))
    secrets |= secret_values(sim)
    outputs.append(ansible.play([UNPAIR_VOLUMES, UNPAIR], diff=True, verbosity=4))
    assert [run.rc for run in outputs] == [0, 0, 0, 2, 0, 0]
    leaks = scan_for_secrets(secrets, outputs, sim)
    assert leaks == [], leaks


def test_the_secret_scan_can_fail(sim):
    """The collector knows the real keys, and the scan finds one wherever it is printed."""
    lab = sim.cluster("lab1")
    cluster_key = lab.call("StartClusterPairing")["clusterPairingKey"]
    volume_key = lab.call("StartVolumePairing", volumeID=1)["volumePairingKey"]
    secrets = secret_values(sim)
    assert {cluster_key, volume_key, lab.password} <= secrets
    leaked = SimpleNamespace(stdout="msg: ... %s ..." % cluster_key[10:-10], stderr="", artifacts=[])
    assert scan_for_secrets(secrets, [leaked], sim), "a partial key must be found through the credentials inside it"


def test_disabling_tls_verification_warns(sim, ansible):
    task = {"name": "pair clusters", "element.replication.element_cluster_pair": {"validate_certs": False}}
    run = ansible.play([task])
    assert run.rc == 0, run
    warnings = run.task("pair clusters").get("warnings", [])
    assert any("TLS certificate verification is disabled for 127.0.0.1:%d" % sim.cluster("prod").port in w
               for w in warnings), warnings
