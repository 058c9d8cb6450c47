"""Share posts (晒单) the demo's shoppers publish after picking up: the product, what they wrote, and
the photo (static/demo/posts/<picture>.webp, rendered by scripts/demo_pictures.py)."""
from __future__ import annotations

# (picture file name, the artwork on the plate)
POST_PICTURES = [
    ("eggs-breakfast", ("1f95a", "1f95a", "1f373")),
    ("apples-bowl", ("1f34e", "1f34e", "1f34e")),
    ("strawberries-plate", ("1f353", "1f353", "1f353")),
    ("dumplings-dinner", ("1f95f", "1f95f", "1f95f")),
    ("shrimp-stir-fry", ("1f990", "1f990", "1f96c")),
    ("watermelon-slices", ("1f349", "1f349", "1f349")),
    ("crab-feast", ("1f980", "1f980", "1f980")),
    ("mandarins-table", ("1f34a", "1f34a", "1f34a")),
]

# (product slug, picture, text); the history gives each to a shopper who picked the product up
POSTS = [
    ("eggs", "eggs-breakfast", "土鸡蛋蛋黄特别黄，早上煎了两个，孩子说比超市的香！团长送货也准时 👍"),
    ("apples", "apples-bowl", "苹果又脆又甜，个头很均匀，已经回购第三次了。"),
    ("strawberries", "strawberries-plate", "草莓到手没有一个压坏的，冰一下更好吃，推荐给楼里的邻居们～"),
    ("dumplings", "dumplings-dinner", "水饺皮薄馅多，煮了十分钟不破皮，冬至就靠它了。"),
    ("shrimp", "shrimp-stir-fry", "虾很大只，解冻后做了油焖大虾，全家抢着吃。"),
    ("watermelon", "watermelon-slices", "西瓜沙瓤很甜，夏天团购最爱，团长还帮忙切好了一半。"),
    ("crab", "crab-feast", "会员价买的大闸蟹，母蟹膏很满，中秋家宴很有面子。"),
    ("mandarins", "mandarins-table", "砂糖橘皮薄好剥，一晚上吃了半箱 😂"),
]
