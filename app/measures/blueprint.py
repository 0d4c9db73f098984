"""The blueprint of the measures pages (catalogue, providers: views.py; forwarding: forwarding_views.py)."""

from flask import Blueprint

bp = Blueprint("measures", __name__, url_prefix="/massnahmen")
