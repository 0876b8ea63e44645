"""Loaded by every Python process the tests start (this folder is on their PYTHONPATH): puts the
network guard in before any other import. See netguard.py."""

import os

if os.environ.get("GUIDANCE_TEST_NETWORK_LOG"):
    import netguard

    netguard.install(os.environ["GUIDANCE_TEST_NETWORK_LOG"])
