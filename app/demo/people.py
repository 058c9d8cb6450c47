"""Who lives in the demo: four neighbourhoods (a leader, a pickup point and a group each) and the
shoppers, each with habits the history plays out: when they join and through whose link, how
often they order, how they pay, whether they become members or subscribe, when they stop."""
from __future__ import annotations

import dataclasses
import datetime as dt
import random
from dataclasses import dataclass, field

from app.accounts import services as accounts
from app.accounts.models import Account
from app.extensions import db
from app.groups import bindings
from app.groups import services as groups
from app.leaders import services as leaders
from app.pickup_points.services import get_point, update_point

PASSWORD = "demo-pass-123"


@dataclass(frozen=True)
class Neighbourhood:
    leader: str
    login: str
    phone: str
    point: str
    address: str
    lat: float
    lng: float
    group: str
    place: str
    rule: str
    opens_at: float        # how far into the history the group starts (0: from the first day)
    notice: str


NEIGHBOURHOODS = [
    Neighbourhood("王芳", "leader1@demo.shop", "13800138001", "枫林苑菜鸟驿站", "上海市徐汇区枫林路88号",
                  31.1935, 121.4505, "枫林苑邻里团", "枫林苑", "open", 0,
                  "每晚23:00截单，次日16:00后到驿站自提。生鲜当天到，有问题随时找我。"),
    Neighbourhood("李娜", "leader2@demo.shop", "13800138002", "滨江花园便利店", "上海市浦东新区滨江大道12号",
                  31.2397, 121.5055, "滨江花园宝妈团", "滨江花园", "open", 0,
                  "宝妈们的团购群：奶粉纸尿裤会员价，水果蔬菜次日达。"),
    Neighbourhood("张伟", "leader3@demo.shop", "13800138003", "延平路物业服务中心", "上海市静安区延平路301号",
                  31.2286, 121.4452, "延平路居民团", "延平弄", "invitation_only",
                  0, "本群仅限本小区居民，请让已入群的邻居分享邀请链接。"),
    Neighbourhood("刘强", "leader4@demo.shop", "13800138004", "梅园新村生鲜店", "上海市普陀区梅岭北路66号",
                  31.2472, 121.4031, "梅园新村团购群", "梅园新村", "open", 0.6,
                  "新开的团！每天晚上十一点截单，第二天下午四点到店自提。"),
]


@dataclass
class Persona:
    name: str
    email: str
    group: int                    # index into NEIGHBOURHOODS
    referrer: str | int | None    # "leader", an earlier persona's index, or None (the group's public link)
    joins_on: int                 # day of the history
    weekly: float                 # orders a week before seasonality (normalised to the target volume)
    pays: str                     # wallet | pay_at_pickup
    birthday: tuple[int, int]
    likes: frozenset[str]         # category keys bought more often
    stops_on: int | None = None   # churned: no orders from this day on
    member_after: int | None = None   # joins the membership after this many orders
    subscribes: tuple[str, str, int] | None = None  # (product slug, interval unit, count)
    account_id: int | None = field(default=None, compare=False)
    orders: int = field(default=0, compare=False)
    subscribed: bool = field(default=False, compare=False)


# The demo logins the README names: long-standing customers with a rich history.
NAMED = [
    Persona("陈静", "chen@demo.shop", 0, None, 2, 1.6, "wallet", (3, 14), frozenset({"fruit", "dairy"}),
            member_after=2, subscribes=("milk", "week", 1)),
    Persona("刘洋", "liu@demo.shop", 0, 0, 9, 1.0, "pay_at_pickup", (7, 2), frozenset({"meat", "veg"}),
            member_after=4),
    Persona("赵敏", "zhao@demo.shop", 1, None, 4, 1.3, "wallet", (11, 23), frozenset({"baby", "fruit"}),
            member_after=1, subscribes=("nappies", "month", 1)),
    Persona("孙丽", "sun@demo.shop", 1, 2, 15, 0.8, "wallet", (5, 8), frozenset({"grain", "veg"}),
            member_after=3),
    Persona("周涛", "zhou@demo.shop", 2, "leader", 6, 1.1, "pay_at_pickup", (9, 30), frozenset({"meat", "frozen"})),
    Persona("吴慧", "wu@demo.shop", 2, 4, 20, 0.9, "wallet", (1, 19), frozenset({"home", "dairy"}),
            member_after=2, subscribes=("water", "week", 2)),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余杜叶程魏苏吕丁任沈"
GIVEN = ["秀英", "建国", "桂兰", "晓燕", "海燕", "志强", "春梅", "玉兰", "丽娟", "文", "娜", "杰", "颖", "霞", "鹏",
         "超", "梅", "琳", "军", "红", "萍", "雪", "宇", "浩", "欣怡", "子涵", "雨桐", "佳怡", "思远", "明", "婷",
         "磊", "芳芳", "小红", "国华", "淑珍", "美玲", "建华", "晨", "一鸣"]
SUBSCRIBABLE = [("milk", "week", 1), ("water", "week", 2), ("soy-grains", "month", 1), ("eggs", "week", 2)]
CATEGORY_KEYS = ["grain", "veg", "fruit", "dairy", "meat", "frozen", "home", "baby"]


def personas(extra: int, days: int, seed: int = 17) -> list[Persona]:
    """The named six plus `extra` neighbours drawn from a seeded generator, so every run is the same.
    Later joiners outnumber early ones (the store grows); about one in five stops ordering; a third
    come through a neighbour's link."""
    rng = random.Random(seed)
    people = [dataclasses.replace(p, account_id=None, orders=0, subscribed=False) for p in NAMED]  # fresh copies
    used = {p.name for p in people}
    for n in range(extra):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        while name in used:
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        used.add(name)
        group = rng.choices(range(len(NEIGHBOURHOODS)), weights=[4, 4, 2, 3])[0]
        opens = int(NEIGHBOURHOODS[group].opens_at * days)
        joins = max(opens, int((days - 12) * rng.random() ** 0.8))
        earlier = [i for i, p in enumerate(people) if p.group == group and p.joins_on < joins]
        invite_only = NEIGHBOURHOODS[group].rule == "invitation_only"
        if earlier and (invite_only or rng.random() < 0.35):
            referrer: str | int | None = rng.choice(earlier)
        elif invite_only or rng.random() < 0.15:
            referrer = "leader"
        else:
            referrer = None
        weekly = min(rng.lognormvariate(-0.5, 0.6), 3.0)
        stops = joins + rng.randint(40, 200) if rng.random() < 0.2 else None
        people.append(Persona(
            name=name, email=f"neighbour{n + 1:02d}@demo.shop", group=group, referrer=referrer, joins_on=joins,
            weekly=weekly, pays="wallet" if rng.random() < 0.55 else "pay_at_pickup",
            birthday=(rng.randint(1, 12), rng.randint(1, 28)),
            likes=frozenset(rng.sample(CATEGORY_KEYS, 2)), stops_on=stops,
            member_after=rng.choice([1, 2, 3, 5]) if rng.random() < 0.5 else None,
            subscribes=rng.choice(SUBSCRIBABLE) if rng.random() < 0.08 else None))
    return people  # in creation order: referrers are named by index


@dataclass
class GroupInfo:
    index: int
    group_id: int
    leader_id: int
    leader_account_id: int
    point_id: int
    code: str


def _hours() -> list[dict]:
    morning, evening = (dt.time(8, 0), dt.time(12, 0)), (dt.time(16, 0), dt.time(21, 0))
    return [{"weekday": d, "opens_at": o, "closes_at": c} for d in range(7) for o, c in (morning, evening)]


def open_neighbourhood(index: int, staff_id: int) -> GroupInfo:
    """A resident applies to lead, staff approve, the pickup point gets its hours and the group is made."""
    hood = NEIGHBOURHOODS[index]
    account = accounts.register_shopper(name=hood.leader, email=hood.login, password=PASSWORD).account
    application = leaders.apply(account.id, {
        "name": hood.leader, "phone": hood.phone, "motivation": "我在小区里开店，每天都在，方便邻居们取货。",
        "point_name": hood.point, "point_address": hood.address, "point_latitude": hood.lat,
        "point_longitude": hood.lng,
    })
    application = leaders.approve(application.id, staff_id)
    update_point(get_point(application.pickup_point_id), {"hours": _hours()})
    group = groups.create_group({
        "name": hood.group, "neighbourhood": hood.place, "admission_rule": hood.rule,
        "leader_id": application.leader_id, "pickup_point_id": application.pickup_point_id,
        "notice": hood.notice,
        # The demo runs without Stripe keys: paying at pickup keeps checkout usable out of the box.
        "pay_at_pickup_allowed": True,
    })
    code = groups.public_link(group.id).code
    bindings.join(account, code)  # leaders shop in their own group
    return GroupInfo(index, group.id, application.leader_id, account.id, application.pickup_point_id, code)


def register(persona: Persona, hood: GroupInfo, people: list[Persona]) -> Account:
    """Sign up and join through the public link, the leader's or a neighbour's personal link."""
    account = accounts.register_shopper(name=persona.name, email=persona.email, password=PASSWORD).account
    if persona.referrer == "leader":
        code = bindings.mint_link(hood.leader_account_id, hood.group_id).code
    elif persona.referrer is not None:
        code = bindings.mint_link(people[persona.referrer].account_id, hood.group_id).code
    else:
        code = hood.code
    bindings.join(account, code)
    persona.account_id = account.id
    return account


def reload(account_id: int) -> Account:
    return db.session.get(Account, account_id)
