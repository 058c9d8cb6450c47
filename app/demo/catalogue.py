"""The demo store's shelves: categories and products in Chinese with English translations, their
SKUs and prices (fen), and the artwork each product picture is composed from (scripts/demo_pictures.py
renders static/demo/products/<slug>.webp from these emoji; static/demo/LICENSES.md says whose they are)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CategoryData:
    key: str
    name: str
    name_en: str
    tint: tuple[int, int, int]  # the picture background of its products


@dataclass(frozen=True)
class SkuData:
    name: str
    name_en: str
    price: int
    stock: int
    compare_at: int | None = None
    member_price: int | None = None


@dataclass(frozen=True)
class ProductData:
    slug: str
    category: str
    name: str
    name_en: str
    description: str
    description_en: str
    skus: tuple[SkuData, ...]
    art: tuple[str, ...]            # Fluent Emoji code points: the first is the hero, the rest around it
    usage_days: int | None = None   # repeat-use products: days one unit lasts a household
    members_only: bool = False
    is_new: bool = False
    popularity: int = 3             # 1-5: how often shoppers put it in a basket
    tags: frozenset[str] = field(default_factory=frozenset)  # seasonal hints for the history: spring, summer, ...


CATEGORIES = [
    CategoryData("grain", "粮油米面", "Grains & oil", (246, 226, 186)),
    CategoryData("veg", "新鲜蔬菜", "Vegetables", (208, 236, 196)),
    CategoryData("fruit", "时令水果", "Fruit", (255, 218, 204)),
    CategoryData("dairy", "乳品蛋品", "Dairy & eggs", (222, 234, 252)),
    CategoryData("meat", "肉禽水产", "Meat & seafood", (252, 216, 214)),
    CategoryData("frozen", "速冻面点", "Frozen & ready", (214, 238, 246)),
    CategoryData("home", "日用百货", "Household", (230, 224, 248)),
    CategoryData("baby", "母婴用品", "Baby", (255, 226, 238)),
]


def _p(slug, category, name, name_en, description, description_en, skus, art, **kw) -> ProductData:
    return ProductData(slug, category, name, name_en, description, description_en,
                       tuple(SkuData(*s) if isinstance(s, tuple) else s for s in skus), tuple(art), **kw)


PRODUCTS = [
    _p("rice", "grain", "东北五常大米", "Wuchang rice from the Northeast",
       "黑龙江五常产区当季新米，粒粒饱满，煮饭软糯带清香。",
       "This season's rice from Wuchang, Heilongjiang: plump grains, soft and fragrant.",
       [SkuData("5kg", "5 kg", 4990, 400, 5990, 4590), SkuData("10kg", "10 kg", 8990, 200, None, 8490)],
       ["1f35a", "1f33e"], usage_days=15, popularity=5),
    _p("soy-grains", "grain", "五谷豆浆原料", "Soy-milk grain mix",
       "黄豆、黑豆、红豆、燕麦、小米按比例配好，豆浆机一次一包。",
       "Soybeans, black and red beans, oats and millet in the right mix: one sachet per soy-milk maker run.",
       [SkuData("1kg", "1 kg", 2590, 300, 2990, 2290)], ["1fad8", "1f95b"], usage_days=10, popularity=3),
    _p("peanut-oil", "grain", "压榨花生油", "Pressed peanut oil",
       "物理压榨一级花生油，浓香不油腻，炒菜更香。",
       "First-grade mechanically pressed peanut oil: rich aroma for stir-frying.",
       [SkuData("1.8L", "1.8 L", 4590, 160), SkuData("5L", "5 L", 11990, 80, 12990, 10990)],
       ["1fad9", "1f95c"], usage_days=30, popularity=3),
    _p("noodles", "grain", "全麦挂面", "Whole-wheat noodles",
       "全麦粉制作，久煮不糊，早餐一碗刚刚好。",
       "Made with whole-wheat flour; they hold their bite. A breakfast bowl in minutes.",
       [SkuData("500g", "500 g", 890, 500)], ["1f35c"], usage_days=5, popularity=4),
    _p("millet", "grain", "山西黄小米", "Shanxi yellow millet",
       "熬粥金黄浓稠，养胃好搭档。", "Cooks into a thick golden congee, gentle on the stomach.",
       [SkuData("2kg", "2 kg", 2290, 200)], ["1f33e"], usage_days=20, popularity=2),
    _p("bok-choy", "veg", "上海青", "Baby bok choy",
       "本地基地凌晨采收，当天到自提点，清炒最鲜。",
       "Picked before dawn on local farms, at your pickup point the same day.",
       [SkuData("500g", "500 g", 390, 600, 590)], ["1f96c"], popularity=5),
    _p("tomatoes", "veg", "番茄", "Tomatoes",
       "沙瓤番茄，炒蛋做汤都好吃。", "Sandy-fleshed tomatoes for eggs and soups.",
       [SkuData("1kg", "1 kg", 690, 500)], ["1f345", "1f345", "1f345"], popularity=5),
    _p("cucumbers", "veg", "水果黄瓜", "Mini cucumbers",
       "脆嫩多汁，可以直接生吃。", "Crisp and juicy, good raw.",
       [SkuData("1kg", "1 kg", 490, 400)], ["1f952", "1f952"], popularity=4, tags=frozenset({"summer"})),
    _p("mushrooms", "veg", "鲜香菇", "Fresh shiitake",
       "肉厚柄短，炖汤炒菜都出味。", "Thick caps and short stems: full of flavour in soups and stir-fries.",
       [SkuData("300g", "300 g", 990, 240, 1290)], ["1f344"], popularity=3),
    _p("potatoes", "veg", "黄心土豆", "Yellow potatoes",
       "粉糯黄心土豆，炖肉、做土豆丝都合适。", "Floury yellow potatoes for stews and shredded potato.",
       [SkuData("2.5kg", "2.5 kg", 790, 400)], ["1f954", "1f954"], popularity=4),
    _p("carrots", "veg", "胡萝卜", "Carrots",
       "甜脆胡萝卜，榨汁炖汤皆宜。", "Sweet, crunchy carrots for juice and soup.",
       [SkuData("1kg", "1 kg", 450, 400)], ["1f955", "1f955"], popularity=3),
    _p("corn", "veg", "东北甜玉米", "Sweet corn",
       "真空包装甜玉米，开袋加热即食。", "Vacuum-packed sweet corn: heat and eat.",
       [SkuData("4根", "4 cobs", 1290, 300)], ["1f33d", "1f33d"], popularity=3, tags=frozenset({"summer", "autumn"})),
    _p("apples", "fruit", "红富士苹果", "Fuji apples",
       "烟台红富士，脆甜多汁，每个约250克。", "Fuji apples from Yantai, crisp and sweet, about 250 g each.",
       [SkuData("2.5kg", "2.5 kg", 2990, 300, 3590, 2690)], ["1f34e", "1f34e", "1f34e"], popularity=5,
       tags=frozenset({"autumn", "winter"})),
    _p("mandarins", "fruit", "广西砂糖橘", "Shatang mandarins",
       "皮薄易剥，甜度高，冬天的快乐。", "Thin-skinned and sweet: winter in a fruit bowl.",
       [SkuData("2kg", "2 kg", 1990, 300)], ["1f34a", "1f34a", "1f34a"], popularity=4, tags=frozenset({"winter"})),
    _p("bananas", "fruit", "香蕉", "Bananas",
       "自然熟香蕉，软糯香甜。", "Naturally ripened, soft and sweet.",
       [SkuData("1kg", "1 kg", 790, 400)], ["1f34c", "1f34c"], popularity=4),
    _p("kiwi", "fruit", "陕西猕猴桃", "Shaanxi kiwi fruit",
       "周至徐香猕猴桃，放软即可食用。", "Xuxiang kiwi from Zhouzhi: eat them once soft.",
       [SkuData("12个", "12 pieces", 2590, 200, 2990, 2390)], ["1f95d", "1f95d"], popularity=3,
       tags=frozenset({"autumn", "winter"})),
    _p("strawberries", "fruit", "丹东草莓", "Dandong strawberries",
       "红颜草莓，香甜多汁，冬春限定。", "Benihoppe strawberries, sweet and juicy; winter and spring only.",
       [SkuData("1kg", "1 kg", 4990, 120, 5990, 4590)], ["1f353", "1f353", "1f353"], popularity=3,
       tags=frozenset({"winter", "spring"})),
    _p("watermelon", "fruit", "麒麟西瓜", "Qilin watermelon",
       "薄皮沙瓤，冰镇后更解暑。", "Thin rind, sandy flesh; best chilled on a hot day.",
       [SkuData("1个约4kg", "one, about 4 kg", 2990, 150)], ["1f349", "1f349"], popularity=3,
       tags=frozenset({"summer"})),
    _p("cherries", "fruit", "智利车厘子", "Chilean cherries",
       "JJ级车厘子，新品上架，会员优先抢购。", "JJ-grade cherries, new in: members may buy them first.",
       [SkuData("1kg", "1 kg", 9990, 80, 11990, 8990)], ["1f352", "1f352"], is_new=True, popularity=2,
       tags=frozenset({"winter"})),
    _p("milk", "dairy", "巴氏鲜牛奶", "Fresh pasteurised milk",
       "本地牧场巴氏杀菌鲜奶，冷链配送，保质期7天。",
       "Pasteurised milk from a local dairy, kept cold all the way; 7 days' shelf life.",
       [SkuData("950ml", "950 ml", 1590, 400), SkuData("950ml×2", "950 ml × 2", 2990, 200, 3180, 2790)],
       ["1f95b"], usage_days=3, popularity=5),
    _p("eggs", "dairy", "散养土鸡蛋", "Free-range eggs",
       "林下散养，蛋黄饱满，每枚约50克。", "From hens raised under the trees: rich yolks, about 50 g each.",
       [SkuData("30枚", "30 eggs", 3290, 400, 3990, 2990)], ["1f95a", "1f95a", "1f95a"], usage_days=10, popularity=5),
    _p("yoghurt", "dairy", "原味老酸奶", "Set yoghurt",
       "传统凝固型酸奶，浓稠顺滑。", "Traditional set yoghurt, thick and smooth.",
       [SkuData("6杯×100g", "6 × 100 g", 1890, 240)], ["1f95b", "1f944"], usage_days=6, popularity=3),
    _p("tofu", "dairy", "卤水嫩豆腐", "Soft tofu",
       "当天现做，豆香浓郁。", "Made the same day, full of soy flavour.",
       [SkuData("400g", "400 g", 350, 400)], ["1f9c8"], popularity=3),
    _p("pork-belly", "meat", "黑猪五花肉", "Black-pig pork belly",
       "肥瘦相间，红烧肉首选。", "Evenly layered: the cut for red-braised pork.",
       [SkuData("500g", "500 g", 2690, 200)], ["1f953", "1f953"], popularity=4),
    _p("chicken", "meat", "鸡腿", "Chicken thighs",
       "冷鲜鸡腿，去骨方便，烤炖皆宜。", "Chilled chicken thighs, easy to bone, for roasting or braising.",
       [SkuData("1kg", "1 kg", 2890, 240, 3290, 2690)], ["1f357", "1f357"], popularity=4),
    _p("shrimp", "meat", "冻南美白虾", "Frozen white shrimp",
       "单冻大虾，个头均匀，解冻即烹。", "Individually frozen, even-sized; cook straight after thawing.",
       [SkuData("500g", "500 g", 4990, 200, 5990, 4590)], ["1f990", "1f990"], popularity=3),
    _p("brisket", "meat", "牛腩", "Beef brisket",
       "谷饲牛腩，番茄牛腩、红烧都香。", "Grain-fed brisket for tomato beef stew or red braising.",
       [SkuData("500g", "500 g", 5990, 120)], ["1f969"], popularity=2, tags=frozenset({"winter"})),
    _p("crab", "meat", "阳澄湖大闸蟹", "Yangcheng Lake hairy crabs",
       "秋季限定，会员专享价，公母搭配。", "Autumn only, a members' price; males and females in the box.",
       [SkuData("4只装", "box of 4", 19900, 60, 25900)], ["1f980", "1f980"], members_only=True, popularity=2,
       tags=frozenset({"autumn"})),
    _p("salmon", "meat", "冰鲜三文鱼", "Chilled salmon",
       "挪威冰鲜三文鱼，会员专区近成本价。", "Chilled Norwegian salmon, near cost in the members' zone.",
       [SkuData("300g", "300 g", 5990, 80, 6990)], ["1f41f"], members_only=True, popularity=2),
    _p("dumplings", "frozen", "手工猪肉白菜水饺", "Pork and cabbage dumplings",
       "手工包制，皮薄馅大，速冻锁鲜。", "Hand-folded, thin skins and generous filling, frozen fresh.",
       [SkuData("1kg约50只", "1 kg, about 50", 3290, 300, 3690)], ["1f95f", "1f95f"], popularity=4,
       tags=frozenset({"winter"})),
    _p("mooncakes", "frozen", "广式月饼礼盒", "Cantonese mooncake box",
       "中秋限定，双黄白莲蓉与五仁两种口味。", "For the Mid-Autumn Festival: double-yolk lotus paste and five-nut.",
       [SkuData("6个装", "box of 6", 12800, 100, 16800)], ["1f96e", "1f96e"], popularity=2,
       tags=frozenset({"midautumn"})),
    _p("honey", "frozen", "百花蜂蜜", "Wildflower honey",
       "秦岭百花蜜，温水冲调。", "Wildflower honey from the Qinling mountains; stir into warm water.",
       [SkuData("500g", "500 g", 3990, 150)], ["1f36f"], popularity=2),
    _p("water", "home", "天然饮用水", "Natural drinking water",
       "大桶装饮用水，送到自提点，饮水机通用。",
       "A large bottle for water dispensers, delivered to your pickup point.",
       [SkuData("18.9L", "18.9 L", 2200, 300)], ["1f4a7", "1f964"], usage_days=7, popularity=4),
    _p("laundry-pods", "home", "洗衣凝珠", "Laundry pods",
       "三合一洗衣凝珠，除菌留香。", "Three-in-one pods that clean and leave a fresh scent.",
       [SkuData("60颗", "60 pods", 5990, 200, 6990, 5490)], ["1f9fc", "1f9fa"], usage_days=60, popularity=2),
    _p("kitchen-paper", "home", "厨房用纸", "Kitchen paper",
       "加厚吸油吸水，一张多用。", "Thick sheets that soak up oil and water.",
       [SkuData("6卷", "6 rolls", 2490, 300)], ["1f9fb", "1f9fb"], usage_days=20, popularity=3),
    _p("dish-soap", "home", "食品级洗洁精", "Food-grade dish soap",
       "可洗果蔬，温和不伤手。", "Safe for fruit and vegetables, gentle on hands.",
       [SkuData("1.5kg", "1.5 kg", 1990, 240)], ["1f9f4", "1f9fd"], usage_days=45, popularity=2),
    _p("nappies", "baby", "婴儿纸尿裤M码", "Nappies, size M",
       "超薄透气，12小时干爽。", "Thin and breathable, dry for 12 hours.",
       [SkuData("64片", "64 pieces", 9900, 160, 11900, 8900)], ["1f476", "1f9f7"], usage_days=8, popularity=2),
    _p("wipes", "baby", "婴儿手口湿巾", "Baby hand and mouth wipes",
       "纯水配方，可擦手口。", "Pure-water formula, safe for hands and mouths.",
       [SkuData("10包×80抽", "10 × 80 wipes", 5990, 160, 6990)], ["1f9fd", "1f476"], usage_days=25, popularity=2),
    _p("formula", "baby", "婴儿配方奶粉2段", "Infant formula, stage 2",
       "6-12月龄适用，会员价更优惠。", "For 6 to 12 months; a better price for members.",
       [SkuData("800g", "800 g", 26800, 100, None, 25800)], ["1f37c"], usage_days=12, popularity=1),
    _p("rice-puffs", "baby", "宝宝米饼", "Rice puffs for toddlers",
       "入口即化，无添加糖。", "Melt in the mouth, no added sugar.",
       [SkuData("40g", "40 g", 1590, 240)], ["1f358", "1f358"], popularity=2),
]

PRODUCT_BY_SLUG = {p.slug: p for p in PRODUCTS}


def sku_code(product: ProductData, index: int) -> str:
    """Stable SKU codes the campaigns and tests refer to: P<position>-<n>, both from 1."""
    return f"P{PRODUCTS.index(product) + 1:02d}-{index + 1}"


def picture_path(slug: str) -> str:
    return f"/static/demo/products/{slug}.webp"
