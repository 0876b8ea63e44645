"""Settings precedence: defaults < profile file < ASSISTANT_* variables < explicit overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.settings import SettingsError, load_settings


def test_precedence(tmp_path, monkeypatch):
    profile = tmp_path / "team.toml"
    profile.write_text('collection = "from-profile"\nchunk_max_words = 170\nbackend = "ollama"\n')
    assert load_settings().collection == "guidance"
    assert load_settings(profile).collection == "from-profile"
    monkeypatch.setenv("ASSISTANT_COLLECTION", "from-env")
    monkeypatch.setenv("ASSISTANT_PROFILE", str(profile))
    settings = load_settings()
    assert settings.collection == "from-env"
    assert settings.chunk_max_words == 170
    assert load_settings(collection="from-option").collection == "from-option"
    assert load_settings(data_dir=Path("/tmp/x")).data_dir == Path("/tmp/x")


def test_bad_values_and_missing_profiles_are_clear_errors(tmp_path, monkeypatch):
    with pytest.raises(SettingsError, match="not found"):
        load_settings(tmp_path / "absent.toml")
    monkeypatch.setenv("ASSISTANT_BACKEND", "gpt-in-the-cloud")
    with pytest.raises(SettingsError, match="backend"):
        load_settings()
