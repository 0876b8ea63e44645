"""The bundled corpus is the published text, unchanged, with its provenance recorded."""

from __future__ import annotations

import hashlib

from assistant.core.domain import DESIGN_DOCUMENTS
from assistant.settings import PROJECT_ROOT
from ingest.manifest import load_manifest
from tests.support import CORPUS

SHARED_SEEDS = PROJECT_ROOT.parent / "shared" / "seeds"


def test_every_bundled_file_matches_its_recorded_digest():
    manifest = load_manifest(CORPUS)
    assert len(manifest.expected_sha256) == 5
    for relative, digest in manifest.expected_sha256.items():
        assert hashlib.sha256((CORPUS / relative).read_bytes()).hexdigest() == digest


def test_bundled_files_are_the_seed_documents_byte_for_byte():
    if not SHARED_SEEDS.is_dir():  # only beside the project's own checkout
        return
    bundled = {hashlib.sha256(p.read_bytes()).hexdigest() for p in (CORPUS / "seeds").iterdir()}
    seeds = {hashlib.sha256(p.read_bytes()).hexdigest() for p in SHARED_SEEDS.iterdir()}
    assert bundled == seeds


def test_manifest_records_provenance_and_names_the_four_official_documents():
    manifest = load_manifest(CORPUS)
    for source in manifest.sources.values():
        assert source.title and source.publisher and source.kind
    assert {document.id for document in manifest.official} == set(DESIGN_DOCUMENTS)
    assert all(document.page.startswith("https://") for document in manifest.official)
