"""Fixed tables behind the demo data: schools, organisations, accounts and name pools.

Stable keys: a school is found by its code, an organisation by its name, an account by its
username. Append to these tables; do not reorder or renumber them, or the children generated
for a seed change (the stream picks schools by position).
"""

from __future__ import annotations

from dataclasses import dataclass

from huzhou_care.accounts.models import Role
from huzhou_care.orgs.models import Organization, School

SchoolKind = School.Kind


@dataclass(frozen=True)
class SchoolSpec:
    code: str
    county: str
    township: str
    name: str
    kind: str


def _schools(county: str, prefix: str, rows: list[tuple[str, str, str, str]]) -> list[SchoolSpec]:
    """Expand (code suffix, township, name, kind) rows of one county; codes are the county's
    6-digit division code plus a 4-digit number."""
    return [
        SchoolSpec(prefix + suffix, county, township, name, kind)
        for suffix, township, name, kind in rows
    ]


SCHOOLS: list[SchoolSpec] = [
    *_schools(
        "吴兴区",
        "330502",
        [
            ("1001", "织里镇", "织里镇中心幼儿园", SchoolKind.KINDERGARTEN),
            ("1002", "织里镇", "织里镇中心小学", SchoolKind.PRIMARY),
            ("1003", "织里镇", "织里镇轧村小学", SchoolKind.PRIMARY),
            ("1004", "织里镇", "织里中学", SchoolKind.JUNIOR),
            ("1005", "八里店镇", "八里店镇中心幼儿园", SchoolKind.KINDERGARTEN),
            ("1006", "八里店镇", "八里店镇中心小学", SchoolKind.PRIMARY),
            ("1007", "八里店镇", "八里店中学", SchoolKind.JUNIOR),
            ("1008", "妙西镇", "妙西镇中心幼儿园", SchoolKind.KINDERGARTEN),
            ("1009", "妙西镇", "妙西学校", SchoolKind.NINE_YEAR),
            ("1010", "埭溪镇", "埭溪镇中心幼儿园", SchoolKind.KINDERGARTEN),
            ("1011", "埭溪镇", "埭溪镇中心小学", SchoolKind.PRIMARY),
            ("1012", "埭溪镇", "埭溪中学", SchoolKind.JUNIOR),
            ("1013", "东林镇", "东林镇中心幼儿园", SchoolKind.KINDERGARTEN),
            ("1014", "东林镇", "东林镇中心小学", SchoolKind.PRIMARY),
            ("1015", "东林镇", "东林中学", SchoolKind.JUNIOR),
            ("1016", "道场乡", "道场乡中心小学", SchoolKind.PRIMARY),
            ("1017", "八里店镇", "湖州市吴兴高级中学", SchoolKind.SENIOR),
            ("1018", "织里镇", "吴兴区职业技术教育中心", SchoolKind.VOCATIONAL),
        ],
    ),
    *_schools(
        "南浔区",
        "330503",
        [
            ("1001", "双林镇", "双林镇中心幼儿园", SchoolKind.KINDERGARTEN),
            ("1002", "双林镇", "双林镇中心小学", SchoolKind.PRIMARY),
            ("1003", "双林镇", "双林中学", SchoolKind.JUNIOR),
            ("1004", "练市镇", "练市镇中心幼儿园", SchoolKind.KINDERGARTEN),
            ("1005", "练市镇", "练市镇中心小学", SchoolKind.PRIMARY),
            ("1006", "练市镇", "练市中学", SchoolKind.JUNIOR),
            ("1007", "菱湖镇", "菱湖镇中心幼儿园", SchoolKind.KINDERGARTEN),
            ("1008", "菱湖镇", "菱湖镇中心小学", SchoolKind.PRIMARY),
            ("1009", "菱湖镇", "菱湖镇初级中学", SchoolKind.JUNIOR),
            ("1010", "善琏镇", "善琏镇中心小学", SchoolKind.PRIMARY),
            ("1011", "善琏镇", "善琏中学", SchoolKind.JUNIOR),
            ("1012", "和孚镇", "和孚镇中心小学", SchoolKind.PRIMARY),
            ("1013", "千金镇", "千金镇中心小学", SchoolKind.PRIMARY),
            ("1014", "石淙镇", "石淙镇中心小学", SchoolKind.PRIMARY),
            ("1015", "南浔镇", "浙江省南浔中学", SchoolKind.SENIOR),
            ("1016", "菱湖镇", "浙江省菱湖中学", SchoolKind.SENIOR),
        ],
    ),
    *_schools(
        "德清县",
        "330521",
        [
            ("1001", "新市镇", "新市镇中心幼儿园", SchoolKind.KINDERGARTEN),
            ("1002", "新市镇", "新市镇中心小学", SchoolKind.PRIMARY),
            ("1003", "新市镇", "新市中学", SchoolKind.JUNIOR),
            ("1004", "乾元镇", "乾元镇中心幼儿园", SchoolKind.KINDERGARTEN),
            ("1005", "乾元镇", "乾元镇中心小学", SchoolKind.PRIMARY),
            ("1006", "乾元镇", "乾元中学", SchoolKind.JUNIOR),
            ("1007", "钟管镇", "钟管镇中心小学", SchoolKind.PRIMARY),
            ("1008", "钟管镇", "钟管中学", SchoolKind.JUNIOR),
            ("1009", "禹越镇", "禹越镇中心小学", SchoolKind.PRIMARY),
            ("1010", "莫干山镇", "莫干山镇中心幼儿园", SchoolKind.KINDERGARTEN),
            ("1011", "莫干山镇", "莫干山镇中心小学", SchoolKind.PRIMARY),
            ("1012", "洛舍镇", "洛舍镇中心小学", SchoolKind.PRIMARY),
            ("1013", "雷甸镇", "雷甸镇中心小学", SchoolKind.PRIMARY),
            ("1014", "新市镇", "德清县第三中学", SchoolKind.SENIOR),
            ("1015", "武康街道", "德清县职业中等专业学校", SchoolKind.VOCATIONAL),
        ],
    ),
    *_schools(
        "长兴县",
        "330522",
        [
            ("1001", "煤山镇", "煤山镇中心幼儿园", SchoolKind.KINDERGARTEN),
            ("1002", "煤山镇", "煤山镇中心小学", SchoolKind.PRIMARY),
            ("1003", "煤山镇", "煤山中学", SchoolKind.JUNIOR),
            ("1004", "泗安镇", "泗安镇中心幼儿园", SchoolKind.KINDERGARTEN),
            ("1005", "泗安镇", "泗安镇中心小学", SchoolKind.PRIMARY),
            ("1006", "泗安镇", "泗安中学", SchoolKind.JUNIOR),
            ("1007", "和平镇", "和平镇中心小学", SchoolKind.PRIMARY),
            ("1008", "和平镇", "和平镇初级中学", SchoolKind.JUNIOR),
            ("1009", "洪桥镇", "洪桥镇中心小学", SchoolKind.PRIMARY),
            ("1010", "洪桥镇", "洪桥中学", SchoolKind.JUNIOR),
            ("1011", "夹浦镇", "夹浦镇中心小学", SchoolKind.PRIMARY),
            ("1012", "林城镇", "林城镇中心小学", SchoolKind.PRIMARY),
            ("1013", "林城镇", "林城中学", SchoolKind.JUNIOR),
            ("1014", "李家巷镇", "李家巷镇中心小学", SchoolKind.PRIMARY),
            ("1015", "小浦镇", "小浦镇中心小学", SchoolKind.PRIMARY),
            ("1016", "吕山乡", "吕山乡中心小学", SchoolKind.PRIMARY),
            ("1017", "水口乡", "水口乡中心小学", SchoolKind.PRIMARY),
            ("1018", "雉城街道", "浙江省长兴中学", SchoolKind.SENIOR),
            ("1019", "画溪街道", "长兴县金陵高级中学", SchoolKind.SENIOR),
            ("1020", "雉城街道", "长兴县职业技术教育中心", SchoolKind.VOCATIONAL),
        ],
    ),
    *_schools(
        "安吉县",
        "330523",
        [
            ("1001", "孝丰镇", "孝丰镇中心幼儿园", SchoolKind.KINDERGARTEN),
            ("1002", "孝丰镇", "孝丰镇中心小学", SchoolKind.PRIMARY),
            ("1003", "孝丰镇", "孝丰镇初级中学", SchoolKind.JUNIOR),
            ("1004", "梅溪镇", "梅溪镇中心幼儿园", SchoolKind.KINDERGARTEN),
            ("1005", "梅溪镇", "梅溪镇中心小学", SchoolKind.PRIMARY),
            ("1006", "梅溪镇", "梅溪镇初级中学", SchoolKind.JUNIOR),
            ("1007", "天子湖镇", "天子湖镇中心小学", SchoolKind.PRIMARY),
            ("1008", "杭垓镇", "杭垓学校", SchoolKind.NINE_YEAR),
            ("1009", "鄣吴镇", "鄣吴镇中心小学", SchoolKind.PRIMARY),
            ("1010", "天荒坪镇", "天荒坪镇中心小学", SchoolKind.PRIMARY),
            ("1011", "报福镇", "报福镇中心小学", SchoolKind.PRIMARY),
            ("1012", "章村镇", "章村镇中心小学", SchoolKind.PRIMARY),
            ("1013", "溪龙乡", "溪龙乡中心小学", SchoolKind.PRIMARY),
            ("1014", "山川乡", "山川乡中心学校", SchoolKind.NINE_YEAR),
            ("1015", "孝丰镇", "安吉县孝丰高级中学", SchoolKind.SENIOR),
            ("1016", "递铺街道", "安吉县职业教育中心", SchoolKind.VOCATIONAL),
        ],
    ),
]

# Share of the city's left-behind children per county (rural population, roughly).
COUNTY_WEIGHTS = {"吴兴区": 22, "南浔区": 22, "德清县": 16, "长兴县": 24, "安吉县": 16}


@dataclass(frozen=True)
class OrganizationSpec:
    name: str
    kind: str
    county: str | None = None  # county-level organisations only

    @property
    def level(self) -> str:
        return Organization.Level.COUNTY if self.county else Organization.Level.CITY


OrgKind = Organization.Kind
ORGANIZATIONS: list[OrganizationSpec] = [
    OrganizationSpec("湖州师范学院团委", OrgKind.UNIVERSITY),
    OrganizationSpec("湖州职业技术学院团委", OrgKind.UNIVERSITY),
    OrganizationSpec("湖州学院团委", OrgKind.UNIVERSITY),
    OrganizationSpec("湖州市交通投资集团团委", OrgKind.ENTERPRISE),
    OrganizationSpec("湖州市城市投资发展集团团委", OrgKind.ENTERPRISE),
    OrganizationSpec("市直机关团工委", OrgKind.LEAGUE),
    OrganizationSpec("湖州市公安局团委", OrgKind.AGENCY),
    OrganizationSpec("湖州市青少年宫", OrgKind.YOUTH_PALACE),
    OrganizationSpec("湖州市爱心驿站公益服务中心", OrgKind.SOCIAL),
    OrganizationSpec("长兴县小水滴志愿服务中心", OrgKind.SOCIAL, county="长兴县"),
]


@dataclass(frozen=True)
class AccountSpec:
    """A demo login. ``school`` is a school code, ``organization`` an organisation name,
    ``district`` a county name; a school-bound account gets its school's county."""

    username: str
    full_name: str
    role: str
    district: str | None = None
    school: str | None = None
    organization: str | None = None


R = Role
ACCOUNTS: list[AccountSpec] = [
    AccountSpec("city_admin", "沈丽华", R.CITY_ADMIN),
    AccountSpec("city_officer", "钱国伟", R.CITY_OFFICER),
    AccountSpec("wuxing_staff", "吴晓燕", R.DISTRICT_STAFF, district="吴兴区"),
    AccountSpec("nanxun_staff", "费建明", R.DISTRICT_STAFF, district="南浔区"),
    AccountSpec("deqing_staff", "姚佳琪", R.DISTRICT_STAFF, district="德清县"),
    AccountSpec("changxing_staff", "陈志刚", R.DISTRICT_STAFF, district="长兴县"),
    AccountSpec("anji_staff", "潘雪芳", R.DISTRICT_STAFF, district="安吉县"),
    AccountSpec("zhili_school", "施红梅", R.SCHOOL_STAFF, school="3305021002"),
    AccountSpec("shuanglin_school", "闵卫东", R.SCHOOL_STAFF, school="3305031002"),
    AccountSpec("xinshi_school", "俞静", R.SCHOOL_STAFF, school="3305211002"),
    AccountSpec("meishan_school", "邱海峰", R.SCHOOL_STAFF, school="3305221002"),
    AccountSpec("xiaofeng_school", "章文娟", R.SCHOOL_STAFF, school="3305231002"),
    AccountSpec("org_hutc", "朱一鸣", R.ORG_COORDINATOR, organization="湖州师范学院团委"),
    AccountSpec("org_hzvtc", "金晓东", R.ORG_COORDINATOR, organization="湖州职业技术学院团委"),
    AccountSpec("org_hzjt", "周立新", R.ORG_COORDINATOR, organization="湖州市交通投资集团团委"),
    AccountSpec("org_jgtgw", "徐敏", R.ORG_COORDINATOR, organization="市直机关团工委"),
    AccountSpec("org_qsng", "陆婷", R.ORG_COORDINATOR, organization="湖州市青少年宫"),
    AccountSpec(
        "org_xiaoshuidi",
        "蒋慧",
        R.ORG_COORDINATOR,
        district="长兴县",
        organization="长兴县小水滴志愿服务中心",
    ),
    AccountSpec("volunteer_1", "王梓萱", R.VOLUNTEER, organization="湖州师范学院团委"),
    AccountSpec("volunteer_2", "李浩宇", R.VOLUNTEER, organization="湖州职业技术学院团委"),
    AccountSpec("volunteer_3", "张丽娟", R.VOLUNTEER, school="3305021002"),
    AccountSpec("volunteer_4", "陈建华", R.VOLUNTEER, school="3305221002"),
]


# --- Name pools ------------------------------------------------------------------------------
def _words(text: str) -> list[str]:
    """A space-separated word list (keeps the long pools below readable)."""
    return text.split()


# Surnames common in rural Huzhou, most frequent first (weights fall off along the list).
SURNAMES = "沈王张陈李徐吴朱钱周杨姚费施陆潘孙金邱闵俞胡蒋刘黄赵丁马顾范凌叶章褚莫倪郎屠严蔡"
BOY_NAMES = _words(
    "子轩 浩然 宇轩 梓睿 俊熙 皓轩 一鸣 博文 浩宇 子墨 奕辰 宇航 明轩 梓豪 思远 俊杰 天佑 "
    "锦程 睿泽 晨阳 家豪 昊天 嘉乐 承泽 沐阳 逸飞 文博 宏宇 泽宇 浩 杰 睿 航 磊 鑫"
)
GIRL_NAMES = _words(
    "梓涵 欣怡 一诺 诗涵 雨桐 可馨 梓萱 思彤 佳怡 欣妍 若汐 芷若 语桐 雨萱 紫涵 梦琪 依诺 "
    "诗琪 静怡 馨月 晨曦 安琪 思琪 可欣 子涵 悦 琳 涵 妍 萱"
)
# Parents (born 1980s-1990s) and grandparents (born 1950s-1960s).
MEN_NAMES = _words(
    "建华 志强 伟 军 海峰 国平 晓东 建军 永明 立新 卫东 鹏 俊 斌 杰 华 勇 涛 磊 峰 明 强 辉 "
    "亮 浩 建平 国华 小龙 金华 伟强"
)
WOMEN_NAMES = _words(
    "丽 芳 燕 红 敏 静 丽娟 秀芳 美华 晓燕 海燕 红梅 春燕 雪芳 琴 霞 英 玲 萍 婷 丽萍 月芳 "
    "慧 娟 小琴"
)
OLD_MEN_NAMES = _words(
    "根宝 金林 水根 福根 国强 建国 永林 德明 荣华 金生 炳荣 海林 长林 木根 阿荣 发根 "
    "志明 伯生 金宝 林根"
)
OLD_WOMEN_NAMES = _words(
    "秀英 桂英 月英 凤英 秀珍 玉珍 金凤 阿毛 桂芳 美英 菊英 彩娥 杏娥 玉英 杏英 雪英 "
    "金娣 引娣 阿娥 梅英"
)
OTHER_ETHNICITIES = _words("畲族 回族 苗族 土家族 布依族 彝族")

# Where parents work: (place, weight). Most work in the Yangtze delta and the Pearl river delta.
WORK_PLACES = [
    ("浙江省杭州市", 18), ("上海市", 14), ("江苏省苏州市", 12), ("浙江省宁波市", 8),
    ("浙江省嘉兴市", 6), ("江苏省无锡市", 6), ("广东省深圳市", 7), ("广东省广州市", 4),
    ("广东省东莞市", 4), ("浙江省绍兴市", 4), ("江苏省南京市", 3), ("浙江省温州市", 3),
    ("北京市", 2), ("安徽省合肥市", 2), ("福建省厦门市", 2), ("浙江省金华市义乌市", 3),
]  # fmt: skip
MOBILE_PREFIXES = _words(
    "130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159 166 "
    "177 180 181 182 183 185 186 187 188 189 191 198 199"
)
VILLAGE_NAMES = _words(
    "杨溇 伍浦 义皋 庙港 荻港 横山 大钱 湖溇 陆家湾 石桥 河西 新华 联合 红旗 光明 太平 东风 "
    "长田 塘甸 潘店 尚林 乔溪 沈家墩 金村 潞村 晟舍 河口 东桥 白雀 港胡 仙山 南庄 西山 竹林 "
    "长潮 大溪 上舍 黄杜 余村 鲁家 高家堂 五鹤 后坞 横溪坞 李家 徐家庄 茅山 城山 罗家浜 "
    "新塘 张家湾 下昂 杨家湾 前村 姚家坝 花园 双桥 新庄"
)
DISABILITIES = _words(
    "视力残疾二级 听力残疾三级 肢体残疾三级 肢体残疾四级 智力残疾三级 言语残疾四级"
)
ILLNESSES = _words("先天性心脏病 哮喘 癫痫 肾病综合征 白血病（缓解期） 1型糖尿病")
NOTES = [
    "父母春节返乡",
    "祖辈年迈，监护能力较弱",
    "需关注心理状况，已告知班主任",
    "已纳入结对帮扶",
    "家访时反映学习用品短缺",
    "每周与父母视频通话",
]
