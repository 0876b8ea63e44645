"""The offline switches, set in one place before any library that might phone home is imported.

Guidance Assistant runs where case notes may be typed: nothing may leave the machine. Each
variable below turns off a download or a telemetry ping in one of our dependencies.
"""

from __future__ import annotations

import os

OFFLINE_ENVIRONMENT = {
    # Hugging Face libraries: never reach the hub; models come from installed packages.
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    # The common "do not track" convention, honoured by unstructured (Scarf) and others.
    "DO_NOT_TRACK": "true",
    "SCARF_NO_ANALYTICS": "true",
    # unstructured prints an advert on import.
    "UNSTRUCTURED_DISABLE_NOTICE": "1",
    # Chroma's product telemetry (also disabled in the client settings).
    "ANONYMIZED_TELEMETRY": "False",
    # tokenizers forks a thread pool and warns when the process forks later.
    "TOKENIZERS_PARALLELISM": "false",
}


def enforce_offline() -> None:
    """Set every offline and no-telemetry switch; call once at each entry point."""
    os.environ.update(OFFLINE_ENVIRONMENT)
