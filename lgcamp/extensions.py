"""Extension objects, created unbound here and bound to the app in create_app()."""

from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import Session

from lgcamp.database import Base


class Database(SQLAlchemy):
    """Flask-SQLAlchemy, with ``db.session`` typed as the Session it stands for.

    It is a scoped proxy to the current app context's Session; typing it so lets services take
    a plain ``Session``. Only ``db.session.remove()`` (end of a CLI command) is proxy-only.
    """

    session: Session  # type: ignore[assignment]


db = Database(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
