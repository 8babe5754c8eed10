"""Configuration layers and the generated secret key."""

from __future__ import annotations

from pathlib import Path

import pytest

from lgcamp import create_app


def test_secret_key_is_generated_once_and_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LGCAMP_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("LGCAMP_SECRET_KEY", raising=False)
    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    first = create_app({"DATABASE_URL": url})
    second = create_app({"DATABASE_URL": url})
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 32
    assert (tmp_path / "secret_key").read_text() == first.config["SECRET_KEY"]


def test_layers_instance_file_then_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LGCAMP_INSTANCE_PATH", str(tmp_path))
    (tmp_path / "config.py").write_text(
        'MAIL_SERVER = "smtp.from-file"\nMAIL_PORT = 2525\nSECRET_KEY = "file-key"\n'
    )
    monkeypatch.setenv("LGCAMP_MAIL_SERVER", "smtp.from-env")
    monkeypatch.setenv("LGCAMP_DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite'}")
    app = create_app()
    assert app.config["MAIL_SERVER"] == "smtp.from-env"
    assert app.config["MAIL_PORT"] == 2525
    assert app.config["SECRET_KEY"] == "file-key"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("env.sqlite")


def test_default_database_is_sqlite_in_instance_with_wal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LGCAMP_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("LGCAMP_DATABASE_URL", raising=False)
    app = create_app({"SECRET_KEY": "k"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'lgcamp.sqlite'}"
    from lgcamp.extensions import db

    with app.app_context(), db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    with app.app_context():
        db.engine.dispose()
