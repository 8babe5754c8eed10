"""The checkin blueprint; views.py and walk_in_views.py add its routes."""

from flask import Blueprint

bp = Blueprint("checkin", __name__)
