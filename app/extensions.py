"""Extension objects, created once and bound to the app in `create_app()`.

Domain modules import these without importing the factory.
"""

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from app.database import Model

db = SQLAlchemy(model_class=Model)
migrate = Migrate()
csrf = CSRFProtect()
