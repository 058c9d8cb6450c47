"""Import every model so metadata is complete (migrations, create_all, table sweeps in tests)."""
from app.accounts.models import Account, AuthToken, PhoneVerification  # noqa: F401
from app.aftersales.models import AfterSaleEvent, AfterSalePhoto, AfterSaleRequest, AfterSaleRules  # noqa: F401
from app.campaigns.models import (  # noqa: F401
    Campaign,
    CampaignHold,
    CampaignItem,
    CampaignPurchase,
    GroupBuyOutcome,
    RefundRequest,
    StockBucket,
    campaign_groups,
)
from app.catalog.models import Category, Product, Sku, product_groups  # noqa: F401
from app.commissions.models import CommissionRule, CommissionSettings, JournalEntry, JournalLine  # noqa: F401
from app.coupons.models import Coupon, CouponTemplate, coupon_template_categories, coupon_template_products  # noqa: F401
from app.delivery.models import DeliveryRoute, RouteRun, RouteStop, RunStop  # noqa: F401
from app.groups.models import Binding, Group, GroupLink, GroupTransfer  # noqa: F401
from app.idempotency.models import IdempotencyKey  # noqa: F401
from app.inventory.models import (  # noqa: F401
    StockLocation,
    StockMovement,
    StockReservation,
    StockTake,
    StockTakeLine,
)
from app.leader_cash.models import CashEntry, CashLine  # noqa: F401
from app.leaders.models import Leader, LeaderApplication  # noqa: F401
from app.lotteries.models import Lottery, LotteryEntry, LotteryPrize  # noqa: F401
from app.loyalty.models import LoyaltyProgram, PointsEntry, Tier  # noqa: F401
from app.members.models import Membership  # noqa: F401
from app.notifications.models import Notification, OutboxEvent, WebhookAttempt, WebhookDelivery  # noqa: F401
from app.orders.models import Order, OrderLine  # noqa: F401
from app.payments.models import Payment, Refund, RefundLine, WebhookEvent  # noqa: F401
from app.pickup.models import DeliveryBatch, PickupAttempt, PickupEvent, Shortage  # noqa: F401
from app.pickup_points.models import PickupClosure, PickupHours, PickupPoint  # noqa: F401
from app.posts.models import PostLike, PostQuota, SharePost  # noqa: F401
from app.replenishment.models import ReplenishmentReminder, SubscriptionSuggestion  # noqa: F401
from app.settings.models import StoreSettings  # noqa: F401
from app.staff.models import ApprovalRequest, AuditEntry, StaffRole  # noqa: F401
from app.subscriptions.models import (  # noqa: F401
    StripeCustomer,
    Subscription,
    SubscriptionCycle,
    SubscriptionPlan,
    SubscriptionSkip,
)
from app.wallet.models import BonusTier, TopUp, Wallet, WalletEntry  # noqa: F401
