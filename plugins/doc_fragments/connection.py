# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


def _peer_not_required(fragment):
    """The fragment of the peer option, with the peer not required (its one `required: true`)."""
    required = "\n    required: true\n"
    if fragment.count(required) != 1:
        raise ValueError("the peer fragment must say 'required: true' once, for the peer option")
    return fragment.replace(required, "\n    required: false\n")


class ModuleDocFragment(object):

    # Connection to the cluster the module talks to first (the source, for pairing modules).
    DOCUMENTATION = r"""
options:
  hostname:
    description:
      - Management virtual IP (MVIP) or DNS name of the cluster.
      - May include a port (V(mvip.example.com:8443)); it then overrides O(port).
      - If not set, the environment variable E(ELEMENT_HOSTNAME) is used.
    type: str
    required: true
  port:
    description:
      - HTTPS port of the cluster's JSON-RPC API.
      - If not set, the environment variable E(ELEMENT_PORT) is used.
    type: int
    default: 443
  username:
    description:
      - Cluster admin user name.
      - If not set, the environment variable E(ELEMENT_USERNAME) is used.
    type: str
    required: true
  password:
    description:
      - Password of the cluster admin.
      - If not set, the environment variable E(ELEMENT_PASSWORD) is used.
    type: str
    required: true
  validate_certs:
    description:
      - Verify the cluster's TLS certificate.
      - Turning this off is reported with a warning; prefer O(ca_path) for clusters with
        certificates from a private CA.
      - If not set, the environment variable E(ELEMENT_VALIDATE_CERTS) is used.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file with the CA certificate(s) that signed the cluster's certificate.
      - If not set, the environment variable E(ELEMENT_CA_PATH) is used, else the system trust store.
    type: path
  timeout:
    description:
      - Seconds to wait for an answer to one API call (read timeout).
      - Opening the connection has its own timeout of 10 seconds, or O(timeout) when that is smaller.
      - If not set, the environment variable E(ELEMENT_TIMEOUT) is used.
    type: float
    default: 30
  api_version:
    description:
      - Element API version in the endpoint path C(/json-rpc/<api_version>).
      - The default is served by every Element 12 release and has every method and parameter the
        collection uses, so no version discovery call is made.
      - If not set, the environment variable E(ELEMENT_API_VERSION) is used.
    type: str
    default: '12.0'
  display_name:
    description:
      - How messages name this cluster until its own name has been read from it (when it cannot be
        reached, for example). The collection's roles set it to the inventory host name.
    type: str
"""

    # The peer cluster, for the modules that drive two clusters.
    PEER = r"""
options:
  peer:
    description:
      - Connection to the peer cluster, with the same options as this cluster's connection.
      - Each sub-option falls back to an environment variable named like this cluster's, with
        C(ELEMENT_PEER_) instead of C(ELEMENT_) (for example E(ELEMENT_PEER_HOSTNAME)).
    type: dict
    required: true
    suboptions:
      hostname:
        description:
          - MVIP or DNS name of the peer cluster, optionally with a port; see O(hostname).
          - Left out or empty (E(ELEMENT_PEER_HOSTNAME) set to an empty string, as the AWX credential
            type of C(docs/awx-credential-type.yml) does for a credential without a peer), there is no
            peer. Modules that do not use one run on this cluster alone; a task that drives both
            clusters fails saying that the peer is missing.
        type: str
      port:
        description: HTTPS port of the peer's API; see O(port).
        type: int
        default: 443
      username:
        description:
          - Cluster admin user name on the peer.
          - Defaults to O(username) (sites often use one admin account on both clusters, and the
            netapp.elementsw modules defaulted to it too).
        type: str
      password:
        description:
          - Password of the peer's cluster admin.
          - Defaults to O(password) when O(peer.username) is left out or equal to O(username).
        type: str
      validate_certs:
        description: Verify the peer's TLS certificate; see O(validate_certs).
        type: bool
        default: true
      ca_path:
        description: CA certificate(s) for the peer's certificate; see O(ca_path).
        type: path
      timeout:
        description: Read timeout for calls to the peer; see O(timeout).
        type: float
        default: 30
      api_version:
        description: Element API version used with the peer; see O(api_version).
        type: str
        default: '12.0'
      display_name:
        description: How messages name the peer until its own name has been read; see O(display_name).
        type: str
"""

    PEER_OPTIONAL: str  # set below, from PEER


# The same, for modules that read the peer only when it is given: PEER's text with the peer not
# required, written once. Assigned after the class, not in its body: ansible-test's yamllint sanity
# test lints the string literals of a fragment class's body (PEER's is there) and cannot read a
# computed one; ansible-doc and the tools built on it read the attribute.
ModuleDocFragment.PEER_OPTIONAL = _peer_not_required(ModuleDocFragment.PEER)
