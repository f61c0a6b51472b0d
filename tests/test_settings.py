"""Typed settings: defaults, the environment, .env, and start-up errors that name the variable."""

from __future__ import annotations

import pytest

from app import create_app
from settings import SettingsError, load_settings

DEV = {"INNGEST_DEV": True}


def clear_environment(monkeypatch, *names):
    """Unset `names` for this test, and undo whatever load_dotenv puts into them afterwards."""
    for name in names:
        monkeypatch.setenv(name, "placeholder")
        monkeypatch.delenv(name)


def test_defaults_describe_a_development_app(monkeypatch):
    monkeypatch.setenv("INNGEST_DEV", "1")
    settings = load_settings(env_file=None)
    assert settings.inngest_app_id == "document-service"
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("/instance/app.db")
    assert settings.aws_s3_bucket is None
    assert settings.missing_s3_settings() == ["AWS_S3_REGION", "AWS_S3_BUCKET"]


def test_environment_variables_are_read_and_typed(monkeypatch):
    monkeypatch.setenv("INNGEST_DEV", "true")
    monkeypatch.setenv("MAX_DOCUMENT_BYTES", "1234")
    monkeypatch.setenv("AWS_S3_BUCKET", "from-env")
    settings = load_settings(env_file=None)
    assert settings.max_document_bytes == 1234
    assert settings.aws_s3_bucket == "from-env"


def test_dotenv_file_is_read_but_never_overrides_the_environment(tmp_path, monkeypatch):
    env_file = tmp_path / ".env"
    env_file.write_text("INNGEST_DEV=1\nAWS_S3_BUCKET=from-dotenv\nAWS_S3_REGION=from-dotenv\n")
    clear_environment(monkeypatch, "AWS_S3_BUCKET", "INNGEST_DEV")
    monkeypatch.setenv("AWS_S3_REGION", "from-env")
    settings = load_settings(env_file=str(env_file))
    assert settings.aws_s3_bucket == "from-dotenv"
    assert settings.aws_s3_region == "from-env"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"MAX_DOCUMENT_BYTES": "lots"}, "MAX_DOCUMENT_BYTES"),
        ({"CHUNK_SIZE": 10}, "CHUNK_SIZE"),
        ({"CHUNK_SIZE": 100, "CHUNK_OVERLAP": 100}, "CHUNK_OVERLAP must be smaller than CHUNK_SIZE"),
        ({"INNGEST_SEND_TIMEOUT_SECONDS": 0}, "INNGEST_SEND_TIMEOUT_SECONDS"),
        ({"S3_KEY_PREFIX": "../up"}, "S3_KEY_PREFIX"),
        ({"INNGEST_DEV": "maybe"}, "INNGEST_DEV"),
        ({"IDEMPOTENCY_ABANDONED_AFTER_SECONDS": 13.5}, r"longer than the longest event send .*: 13\.5 s"),
        ({"INNGEST_SEND_TIMEOUT_SECONDS": 30}, r"IDEMPOTENCY_ABANDONED_AFTER_SECONDS must be longer .*: 153\.5 s"),
    ],
)
def test_bad_values_fail_naming_the_variable(overrides, message):
    with pytest.raises(SettingsError, match=message):
        load_settings({**DEV, **overrides}, env_file=None)


@pytest.mark.parametrize(
    ("present", "missing"),
    [
        ({}, "SECRET_KEY and INNGEST_SIGNING_KEY"),
        ({"SECRET_KEY": "s"}, "INNGEST_SIGNING_KEY"),
        ({"INNGEST_SIGNING_KEY": "signkey-prod-abc"}, "SECRET_KEY"),
    ],
)
def test_production_refuses_to_start_without_secrets(monkeypatch, present, missing):
    for name in ("INNGEST_DEV", "SECRET_KEY", "INNGEST_SIGNING_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SettingsError, match=f"production mode needs {missing}; set them, or set INNGEST_DEV=1"):
        create_app(present, env_file=None)


def test_production_starts_with_its_secrets(monkeypatch):
    monkeypatch.delenv("INNGEST_DEV", raising=False)
    app = create_app({"SECRET_KEY": "s", "INNGEST_SIGNING_KEY": "signkey-prod-abc"}, env_file=None)
    assert app.extensions["inngest"].is_production is True


def test_empty_variables_count_as_unset(tmp_path, monkeypatch):
    env_file = tmp_path / ".env"
    env_file.write_text("INNGEST_DEV=1\nDATABASE_URL=\nAWS_S3_BUCKET=\nCHUNK_SIZE=\n")
    clear_environment(monkeypatch, "INNGEST_DEV", "DATABASE_URL", "AWS_S3_BUCKET", "CHUNK_SIZE")
    settings = load_settings(env_file=str(env_file))
    assert settings.database_url.endswith("/instance/app.db")
    assert settings.aws_s3_bucket is None
    assert settings.chunk_size == 1000


def test_the_committed_env_example_is_a_valid_development_configuration(monkeypatch):
    from pathlib import Path

    example = Path(__file__).resolve().parent.parent / ".env.example"
    names = [line.split("=", 1)[0] for line in example.read_text().splitlines() if line and not line.startswith("#")]
    clear_environment(monkeypatch, *names)
    settings = load_settings(env_file=str(example))
    assert settings.inngest_dev is True


def test_every_setting_is_documented_in_env_example_and_readme():
    from pathlib import Path

    from settings import AppSettings

    repository = Path(__file__).resolve().parent.parent
    example = (repository / ".env.example").read_text()
    readme = (repository / "README.md").read_text()
    for name in AppSettings.model_fields:
        assert f"{name.upper()}=" in example, f"{name.upper()} is missing from .env.example"
        assert f"`{name.upper()}`" in readme, f"{name.upper()} is missing from the README"


@pytest.mark.parametrize(("value", "development"), [("1", True), ("true", True), ("0", False), ("false", False)])
def test_inngest_dev_takes_the_sdks_boolean_forms(monkeypatch, value, development):
    monkeypatch.setenv("INNGEST_DEV", value)
    settings = load_settings({"SECRET_KEY": "s", "INNGEST_SIGNING_KEY": "signkey-prod-00"}, env_file=None)
    assert settings.inngest_dev is development


@pytest.mark.parametrize(
    ("value", "base_url"),
    [
        ("http://localhost:8288", "http://localhost:8288"),
        ("http://127.0.0.1:9999/", "http://127.0.0.1:9999"),
        ("dev-server.internal:8288", "http://dev-server.internal:8288"),
    ],
)
def test_inngest_dev_as_the_dev_server_url_is_development_mode_with_that_base_url(monkeypatch, value, base_url):
    clear_environment(monkeypatch, "INNGEST_BASE_URL")
    monkeypatch.setenv("INNGEST_DEV", value)
    settings = load_settings(env_file=None)
    assert settings.inngest_dev is True
    assert settings.inngest_base_url == base_url


def test_inngest_base_url_wins_over_the_url_in_inngest_dev_as_in_the_sdk(monkeypatch):
    monkeypatch.setenv("INNGEST_DEV", "http://localhost:8288")
    monkeypatch.setenv("INNGEST_BASE_URL", "http://127.0.0.1:7000")
    assert load_settings(env_file=None).inngest_base_url == "http://127.0.0.1:7000"


def test_an_app_built_with_inngest_dev_as_a_url_sends_to_that_server(monkeypatch, tmp_path):
    clear_environment(monkeypatch, "INNGEST_BASE_URL")
    monkeypatch.setenv("INNGEST_DEV", "http://127.0.0.1:8765")
    application = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}"}, env_file=None)
    client = application.extensions["inngest"]
    assert client._event_api_origin == "http://127.0.0.1:8765"
    assert client.is_production is False


@pytest.mark.parametrize("value", ["maybe", "http://", "localhost:port"])
def test_inngest_dev_that_is_neither_a_boolean_nor_a_url_names_the_variable(monkeypatch, value):
    monkeypatch.setenv("INNGEST_DEV", value)
    with pytest.raises(SettingsError, match=r"INNGEST_DEV=.* is neither 1, 0, true, false nor a URL"):
        load_settings(env_file=None)


def test_ocr_defaults_to_english_at_300_dpi_and_200_pages():
    settings = load_settings({"INNGEST_DEV": "1"}, env_file=None)
    assert settings.ocr_enabled is True
    assert settings.ocr_language_codes == ["eng"]
    assert (settings.ocr_dpi, settings.ocr_max_pages) == (300, 200)


def test_an_ocr_language_without_its_data_stops_the_app_naming_the_debian_package(tmp_path):
    (tmp_path / "eng.traineddata").write_bytes(b"")
    with pytest.raises(SettingsError) as raised:
        load_settings(
            {"INNGEST_DEV": "1", "OCR_LANGUAGES": "eng+deu+chi_sim", "OCR_TESSDATA_DIR": str(tmp_path)}, env_file=None
        )
    message = str(raised.value)
    assert "tesseract-ocr-deu tesseract-ocr-chi-sim" in message
    assert "tesseract-ocr-eng" not in message


def test_ocr_languages_are_not_checked_when_ocr_is_off(tmp_path):
    settings = load_settings(
        {"INNGEST_DEV": "1", "OCR_ENABLED": "0", "OCR_LANGUAGES": "deu", "OCR_TESSDATA_DIR": str(tmp_path)},
        env_file=None,
    )
    assert settings.ocr_enabled is False


@pytest.mark.parametrize("value", ["eng+", "ENG", "eng,deu", "../eng"])
def test_ocr_languages_must_be_tesseract_codes_joined_with_plus(value):
    with pytest.raises(SettingsError, match="OCR_LANGUAGES"):
        load_settings({"INNGEST_DEV": "1", "OCR_LANGUAGES": value}, env_file=None)
