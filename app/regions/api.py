"""GET /api/v1/regions: the community picker."""

from flask import jsonify

from app.api import Blueprint
from app.regions import service
from app.regions.schemas import RegionTreeOut

blp = Blueprint("regions", __name__, url_prefix="/api/v1/regions", description="区域（社区选择）")


@blp.route("")
@blp.response(200, RegionTreeOut)
def list_regions():
    """区域树：区 → 街道 → 社区 → 院落（网格不列出）"""
    # public_tree() already has the documented shape; skipping the schema dump halves the cost.
    return jsonify({"regions": service.public_tree()})
