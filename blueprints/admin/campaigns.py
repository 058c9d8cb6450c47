from __future__ import annotations

from app.campaigns import services as campaigns
from app.campaigns.stats import campaign_stats
from blueprints import sort_keys
from blueprints.admin import blp
from blueprints.auth import Role, current_account
from blueprints.pagination import SQLPage
from blueprints.schemas.campaigns import (
    CampaignInputSchema,
    CampaignQuerySchema,
    CampaignSchema,
    CampaignStatsSchema,
    CampaignUpdateSchema,
)
from blueprints.schemas.groups import ReasonSchema
from blueprints.sorting import sorted_by


@blp.route("/campaigns", methods=["GET"])
@blp.requires(Role.STAFF, "campaigns.read")
@blp.arguments(CampaignQuerySchema, location="query")
@blp.response(200, CampaignSchema(many=True))
@blp.paginate(SQLPage, page_size=20)
@sorted_by(sort_keys.CAMPAIGNS)
def list_campaigns(query):
    """Campaigns, newest first; filter by review state and kind. `phase` comes from the clock."""
    return campaigns.list_campaigns(**query)


@blp.route("/campaigns", methods=["POST"])
@blp.requires(Role.STAFF, "campaigns.edit")
@blp.arguments(CampaignInputSchema)
@blp.response(201, CampaignSchema)
@blp.errors(422)
def create_campaign(data):
    """Create a draft campaign (times without an offset are store-local)"""
    return campaigns.create(data, current_account().id)


@blp.route("/campaigns/<id:campaign_id>", methods=["GET"])
@blp.requires(Role.STAFF, "campaigns.read")
@blp.etag
@blp.response(200, CampaignSchema)
@blp.errors(404)
def get_campaign(campaign_id):
    """One campaign"""
    return campaigns.get_campaign(campaign_id)


@blp.route("/campaigns/<id:campaign_id>", methods=["PATCH"])
@blp.requires(Role.STAFF, "campaigns.edit")
@blp.etag
@blp.arguments(CampaignUpdateSchema)
@blp.response(200, CampaignSchema)
@blp.errors(404, 409, 422)
def update_campaign(changes, campaign_id):
    """Edit a draft or rejected campaign (items are replaced as a whole); `If-Match` required"""
    campaign = campaigns.get_campaign(campaign_id)
    blp.check_etag(campaign, CampaignSchema)
    return campaigns.update(campaign, changes)


@blp.route("/campaigns/<id:campaign_id>", methods=["DELETE"])
@blp.requires(Role.STAFF, "campaigns.edit")
@blp.response(204)
@blp.errors(404, 409)
def delete_campaign(campaign_id):
    """Delete a campaign that was never approved"""
    campaigns.delete(campaigns.get_campaign(campaign_id))


@blp.route("/campaigns/<id:campaign_id>/submit", methods=["POST"])
@blp.requires(Role.STAFF, "campaigns.edit")
@blp.response(200, CampaignSchema)
@blp.errors(404, 409, 422)
def submit_campaign(campaign_id):
    """Submit a draft for review; it must be complete for its kind"""
    return campaigns.submit(campaigns.get_campaign(campaign_id))


@blp.route("/campaigns/<id:campaign_id>/approve", methods=["POST"])
@blp.requires(Role.STAFF, "campaigns.approve")
@blp.response(200, CampaignSchema)
@blp.errors(404, 409)
def approve_campaign(campaign_id):
    """Approve a submitted campaign: it is frozen and goes live by its schedule"""
    return campaigns.approve(campaigns.get_campaign(campaign_id), current_account().id)


@blp.route("/campaigns/<id:campaign_id>/reject", methods=["POST"])
@blp.requires(Role.STAFF, "campaigns.approve")
@blp.arguments(ReasonSchema)
@blp.response(200, CampaignSchema)
@blp.errors(404, 409)
def reject_campaign(data, campaign_id):
    """Reject a submitted campaign with a reason; it can be edited and submitted again"""
    return campaigns.reject(campaigns.get_campaign(campaign_id), current_account().id, data["reason"])


@blp.route("/campaigns/<id:campaign_id>/stats", methods=["GET"])
@blp.requires(Role.STAFF, "campaigns.read")
@blp.response(200, CampaignStatsSchema)
@blp.errors(404)
def get_stats(campaign_id):
    """Reserved, sold, sell-through, revenue and unique buyers, per item and per group"""
    return campaign_stats(campaigns.get_campaign(campaign_id))
