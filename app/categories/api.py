"""GET /api/v1/categories: the 随手拍 categories for the filing form."""

from flask import jsonify

from app.api import Blueprint
from app.categories import service
from app.categories.schemas import CategoryListOut

blp = Blueprint("categories", __name__, url_prefix="/api/v1/categories", description="报事类别")


@blp.route("")
@blp.response(200, CategoryListOut)
def list_categories():
    """在用的报事类别"""
    # active_categories() already has the documented shape; skipping the schema dump is cheaper.
    return jsonify({"categories": service.active_categories()})
