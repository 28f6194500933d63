# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

# One text for this cluster's options and for the peer's sub-options; only the environment
# variable prefix and the indentation differ.
_OPTIONS = r"""
hostname:
  description:
    - Management virtual IP (MVIP) or DNS name of the {which} cluster.
    - May include a port (V(mvip.example.com:8443)); it then overrides O({prefix}port).
    - If not set, the environment variable E({env}_HOSTNAME) is used.
  type: str
  required: true
port:
  description:
    - HTTPS port of the cluster's JSON-RPC API.
    - If not set, the environment variable E({env}_PORT) is used.
  type: int
  default: 443
username:
  description:
    - Cluster admin user name.
    - If not set, the environment variable E({env}_USERNAME) is used.
  type: str
  required: true
password:
  description:
    - Password of the cluster admin.
    - If not set, the environment variable E({env}_PASSWORD) is used.
  type: str
  required: true
validate_certs:
  description:
    - Verify the cluster's TLS certificate.
    - Turning this off is reported with a warning; prefer O({prefix}ca_path) for clusters with
      certificates from a private CA.
    - If not set, the environment variable E({env}_VALIDATE_CERTS) is used.
  type: bool
  default: true
ca_path:
  description:
    - PEM file with the CA certificate(s) that signed the cluster's certificate.
    - If not set, the environment variable E({env}_CA_PATH) is used, else the system trust store.
  type: path
timeout:
  description:
    - Seconds to wait for an answer to one API call (read timeout).
    - Opening the connection has its own timeout of 10 seconds, or O({prefix}timeout) when that is smaller.
    - If not set, the environment variable E({env}_TIMEOUT) is used.
  type: float
  default: 30
api_version:
  description:
    - Element API version in the endpoint path C(/json-rpc/<api_version>).
    - The default is served by every Element 12 release and has every method and parameter the
      collection uses, so no version discovery call is made.
    - If not set, the environment variable E({env}_API_VERSION) is used.
  type: str
  default: '12.0'
"""


def _indent(text, spaces):
    pad = " " * spaces
    return "\n".join(pad + line if line else line for line in text.strip("\n").splitlines())


def _peer(required):
    return r"""
options:
  peer:
    description:
      - Connection to the peer cluster, with the same options as this cluster's connection.
      - The sub-options fall back to the environment variables E(ELEMENT_PEER_HOSTNAME),
        E(ELEMENT_PEER_USERNAME), and so on.
    type: dict
    required: {required}
    suboptions:
{suboptions}
""".format(required="true" if required else "false",
           suboptions=_indent(_OPTIONS.format(which="peer", env="ELEMENT_PEER", prefix="peer."), 6))


class ModuleDocFragment(object):

    # Connection to the cluster the module talks to first (the source, for pairing modules).
    DOCUMENTATION = "\noptions:\n" + _indent(_OPTIONS.format(which="local", env="ELEMENT", prefix=""), 2) + "\n"

    PEER = _peer(required=True)

    PEER_OPTIONAL = _peer(required=False)
