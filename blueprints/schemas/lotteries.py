from __future__ import annotations

import marshmallow as ma
from flask import g

from app.db import utcnow
from app.lotteries import services as lotteries
from app.lotteries.models import EntryRule, LotteryStatus
from blueprints import fields as f
from blueprints.schemas.campaigns import LocalDateTime
from blueprints.schemas.common import QuerySchema, Schema


class LotteryPrizeInputSchema(Schema):
    name = f.name(120, required=True)
    quantity = f.Int(1, 1000, required=True)
    coupon_template_id = f.Id(allow_none=True, metadata={
        "description": "The coupon each winner of this prize gets (required to publish); a 100% coupon on one "
                       "product is a free item on the next order"})


class LotteryFieldsSchema(Schema):
    title = f.name(120, required=True)
    description = f.Str(max_length=2000, allow_none=True)
    entry_rule = f.Choice(EntryRule, metadata={"description": "`members` (default): an active membership; "
                                                              "`recent_order`: a paid or confirmed order in the "
                                                              "last `recent_order_days` days"})
    recent_order_days = f.Int(1, 365, allow_none=True)
    entries_close_at = LocalDateTime(required=True, metadata={"description": "The deadline for entries (without an "
                                                                             "offset: store-local time)"})
    prizes = ma.fields.List(ma.fields.Nested(LotteryPrizeInputSchema), validate=ma.validate.Length(max=20),
                            metadata={"description": "In prize order: winners drawn first take the first prizes"})


class LotteryInputSchema(LotteryFieldsSchema):
    group_id = f.Id(required=True)


class LotteryUpdateSchema(LotteryFieldsSchema):
    """A lottery stays with its group; the rest of a draft can change (prizes are replaced as a whole)."""

    title = f.name(120)
    entries_close_at = LocalDateTime()


class LotteryPrizeSchema(Schema):
    position = ma.fields.Integer()
    name = ma.fields.String()
    quantity = ma.fields.Integer()


class AdminLotteryPrizeSchema(LotteryPrizeSchema):
    id = ma.fields.Integer()
    coupon_template_id = ma.fields.Integer(allow_none=True)


def _seed(lottery) -> str | None:
    return lottery.seed.hex() if lottery.status is LotteryStatus.DRAWN else None


class LotteryBaseSchema(Schema):
    id = ma.fields.Integer()
    group_id = ma.fields.Integer()
    title = ma.fields.String()
    description = ma.fields.String(allow_none=True)
    phase = f.Function(lambda lot: lotteries.phase(lot, utcnow()).value, metadata={
        "description": "draft, open (taking entries), closed (waiting for the draw), drawn, cancelled"},
                       returns=ma.fields.String())
    entry_rule = ma.fields.String()
    recent_order_days = ma.fields.Integer(allow_none=True)
    entries_close_at = ma.fields.DateTime()
    seconds_to_close = f.Method("_countdown", allow_none=True, returns=ma.fields.Integer())
    entry_count = ma.fields.Integer()
    prizes = ma.fields.List(ma.fields.Nested(LotteryPrizeSchema))
    seed_hash = ma.fields.String(allow_none=True, metadata={"description": "SHA-256 (hex) of the secret seed, "
                                                                           "fixed when the lottery was published"})
    seed = f.Function(_seed, allow_none=True, metadata={"description": "The seed (hex), revealed by the draw"},
                      returns=ma.fields.String())
    drawn_at = ma.fields.DateTime(allow_none=True)

    def _countdown(self, lottery):
        if lotteries.phase(lottery, utcnow()) is not lotteries.Phase.OPEN:
            return None
        return int((lottery.entries_close_at - utcnow()).total_seconds())


class StoreLotterySchema(LotteryBaseSchema):
    my_entry = f.Method("_mine", allow_none=True, metadata={"description": "Your entry, if you entered"},
                        returns=ma.fields.Nested("LotteryEntrySchema"))

    def _mine(self, lottery):
        account = getattr(g, "account", None)
        entry = lotteries.entry_of(lottery.id, account.id) if account is not None else None
        return LotteryEntrySchema().dump(entry) if entry is not None else None


class LotterySchema(LotteryBaseSchema):
    status = ma.fields.String()
    prizes = ma.fields.List(ma.fields.Nested(AdminLotteryPrizeSchema))
    entries_digest = ma.fields.String(allow_none=True)
    created_by_id = ma.fields.Integer()
    created_at = ma.fields.DateTime()
    published_at = ma.fields.DateTime(allow_none=True)
    cancelled_at = ma.fields.DateTime(allow_none=True)


class LotteryQuerySchema(QuerySchema):
    group_id = f.QueryInt(1, f.MAX_ID)
    status = f.Choice(LotteryStatus)


def _result(entry) -> str:
    from app.extensions import db
    from app.lotteries.models import Lottery

    status = db.session.get(Lottery, entry.lottery_id).status
    if status is LotteryStatus.DRAWN:
        return "won" if entry.prize_id is not None else "not_won"
    return "cancelled" if status is LotteryStatus.CANCELLED else "pending"


class LotteryEntrySchema(Schema):
    """A shopper's own entry and its result."""

    lottery_id = ma.fields.Integer()
    number = ma.fields.Integer(metadata={"description": "Entry number: the public order the draw uses"})
    ticket = ma.fields.String(metadata={"description": "Your code in the published entry list"})
    created_at = ma.fields.DateTime()
    result = f.Function(_result, metadata={"description": "pending (not drawn yet), won, not_won, cancelled"},
                        returns=ma.fields.String())
    win_rank = ma.fields.Integer(allow_none=True)
    prize = f.Function(lambda e: LotteryPrizeSchema().dump(e.prize) if e.prize else None, allow_none=True,
                       returns=ma.fields.Nested(LotteryPrizeSchema))
    prize_issued = f.Function(lambda e: e.prize_issued_at is not None, metadata={
        "description": "The prize coupon is in your account"}, returns=ma.fields.Boolean())


class AdminLotteryEntrySchema(LotteryEntrySchema):
    id = ma.fields.Integer()
    account_id = ma.fields.Integer()
    prize_issued_at = ma.fields.DateTime(allow_none=True)
    prize_error = ma.fields.String(allow_none=True, metadata={"description": "Why the prize coupon could not be "
                                                                             "issued (retry with /issue-prizes)"})


class LotteryEntryQuerySchema(QuerySchema):
    won = ma.fields.Boolean(metadata={"description": "true: winners in the order drawn; false: the others"})


class PrizeIssueResultSchema(Schema):
    issued = ma.fields.Integer()
    failed = ma.fields.Integer()


class LotteryAuditEntrySchema(Schema):
    number = ma.fields.Integer()
    ticket = ma.fields.String()


class LotteryAuditWinnerSchema(Schema):
    rank = ma.fields.Integer()
    entry_number = ma.fields.Integer()
    ticket = ma.fields.String()
    prize_position = ma.fields.Integer()
    prize_name = ma.fields.String()


class LotteryAuditSchema(Schema):
    lottery_id = ma.fields.Integer()
    title = ma.fields.String()
    phase = ma.fields.String()
    entries_close_at = ma.fields.DateTime()
    drawn_at = ma.fields.DateTime(allow_none=True)
    algorithm = ma.fields.String(metadata={"description": "See docs/lotteries.md"})
    seed_hash = ma.fields.String()
    seed = ma.fields.String(allow_none=True, metadata={"description": "Hex; null until the draw"})
    entry_count = ma.fields.Integer()
    entries_digest = ma.fields.String(metadata={"description": 'SHA-256 of the "number:ticket" lines'})
    prizes = ma.fields.List(ma.fields.Nested(LotteryPrizeSchema))
    entries = ma.fields.List(ma.fields.Nested(LotteryAuditEntrySchema))
    winners = ma.fields.List(ma.fields.Nested(LotteryAuditWinnerSchema), allow_none=True)
